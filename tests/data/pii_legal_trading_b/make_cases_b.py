#!/usr/bin/env python3
"""Generate held-out PII test cases (set B) for legal and brokerage/wealth texts.

Standard library only and deterministic for a given --seed (default 5077).
Writes cases.jsonl next to this script (or to --out).

Each template composes its text from literal prose plus registered values;
every registered value becomes a span in `pii` or `keep`.  After rendering,
each case is validated:
  * text[start:end] == value for every span,
  * spans never overlap,
  * every (case-sensitive, token-bounded) occurrence of a labelled value
    lies inside some labelled span; otherwise the case is redrawn.
"""
import argparse
import datetime
import json
import os
import random
import re
import sys
import unicodedata
from collections import Counter, defaultdict

OPEN, CLOSE = "\ue000", "\ue001"
PH_RE = re.compile(OPEN + r"(\d+)" + CLOSE)
JSON_RAW_RE = re.compile('"' + OPEN + r"(\d+)" + CLOSE + '"')

PII_LABELS = {"NAME", "STREET_ADDRESS", "CITY", "POSTAL_CODE", "DATE", "PHONE",
              "EMAIL", "SSN", "ACCOUNT", "ID"}
KEEP_LABELS = {
    "legal": {"CITATION", "STATUTE", "RULE", "COURT", "LEGAL_TERM", "STATE", "YEAR"},
    "trading": {"TICKER", "COMPANY", "INDEX", "REG", "NUMBER", "STATE", "YEAR"},
}

# --------------------------------------------------------------------------
# People and places
# --------------------------------------------------------------------------
FIRST_F = ["Maria", "Priya", "Siobhan", "Aaliyah", "Keiko", "Fatima", "Ngozi", "Hannah",
           "Lucía", "Imani", "Anjali", "Ingrid", "Esperanza", "Colleen", "Beatriz", "Leilani",
           "Rosalind", "Bianca", "Farah", "Marisol", "Shira", "Camille", "Svetlana", "Mei-Ling",
           "Yolanda", "Astrid", "Grace", "Hope", "Georgia", "June", "Rose", "Carol", "Summer",
           "Lilly", "Kim", "Adaeze", "Thandiwe", "Margarethe", "Paulette", "Renata", "Ayesha",
           "Noor", "Dolores", "Wren", "Tamsin", "Xiomara", "Greta", "Lauren", "Joanna", "Deirdre"]
FIRST_M = ["James", "Wei", "Oluwaseun", "Mateo", "Dmitri", "Tomasz", "Rafael", "Gareth",
           "Declan", "Kwame", "Yusuf", "Marcus", "Hyun-woo", "Emeka", "Tobias", "Desmond",
           "Nikolai", "Jamal", "Arjun", "Darnell", "Cormac", "Ravi", "Kofi", "Will", "Mark",
           "Frank", "Bill", "Ed", "Al", "Ben", "Joe", "Austin", "Dallas", "Thanh", "Hamid",
           "Bartholomew", "Lorenzo", "Santiago", "Ezekiel", "Malik", "Anders", "Callum",
           "Reuben", "Ignacio", "Teodor", "Omari", "Pieter", "Luis", "Graham", "Vikram"]
FIRST_U = ["Jordan", "Alex", "Taylor", "Casey", "Robin", "Sasha", "Quinn", "Riley", "Morgan",
           "Avery", "Rowan", "Jesse", "Kai", "Emerson"]
LAST = ["Okafor", "Lindqvist", "Castellanos", "Nakamura", "Brennan", "Haddad", "Kowalski",
        "Achterberg", "Delacroix", "Thibodeaux", "Oyelaran", "Petrovic", "Gallagher",
        "Villanueva", "Szabo", "Whitfield", "Abernathy", "Nguyen", "Patel", "Ferreira",
        "Rosenthal", "Quispe", "Adeyemi", "Lachance", "Hargrove", "Iversen", "Markovic",
        "Delgado", "Yamamoto", "O'Connell", "McAllister", "Chaudhry", "Baptiste", "Sorensen",
        "Vasquez", "Kaminski", "Obi", "Pham", "Rinaldi", "Tran", "Espinoza", "Holloway",
        "Strand", "Bergstrom", "Acheampong", "Fitzgerald", "Moreau", "Kirkland", "Winslow",
        "Santos-Whitaker", "van der Berg", "Al-Masri", "Ikeda", "Mwangi", "Zielinski", "Kaur",
        "Oduya", "Brandt", "Carrasco", "Fonseca", "Halvorsen", "Ibarra", "Jablonski",
        "Kealoha", "Lindgren", "Mahmoud", "Novak", "Ortega", "Prescott", "Quintero",
        "Ramaswamy", "Sutherland", "Tanaka", "Underwood", "Valdez", "Wojcik", "Yilmaz",
        "Zamora", "Dubois", "Nwosu", "Horvath", "Estrada", "Kovacs", "Lam", "Begay",
        # surnames that collide with case names, companies or words
        "Ford", "Brown", "Miranda", "Gore", "Green", "Lewis", "Baker", "Marshall", "Morgan",
        "Wells", "Sullivan", "Harris", "Washington", "Jones", "Dell", "Hilton", "Lauren",
        "Johnson", "Tice", "Walden", "Hanna", "Terry", "Kelly", "Taylor", "Disney", "Target"]
# 'Target' is a real (rare) surname and also a company; 'Disney' likewise.

CITIES = {
    "CA": [("Oakland", ["94607", "94610", "94612", "94618"]), ("Pasadena", ["91101", "91103", "91106"]),
           ("Fresno", ["93701", "93704", "93721"]), ("San Jose", ["95112", "95113", "95125"]),
           ("Santa Monica", ["90401", "90403", "90405"]), ("Sacramento", ["95814", "95816", "95818"]),
           ("Irvine", ["92602", "92612", "92618"])],
    "NY": [("Brooklyn", ["11201", "11215", "11238"]), ("Yonkers", ["10701", "10704"]),
           ("Buffalo", ["14201", "14202", "14214"]), ("Rochester", ["14604", "14607", "14620"]),
           ("White Plains", ["10601", "10605"]), ("Ithaca", ["14850"])],
    "IL": [("Evanston", ["60201", "60202"]), ("Naperville", ["60540", "60563"]),
           ("Oak Park", ["60301", "60302"]), ("Peoria", ["61602", "61604"]), ("Skokie", ["60076", "60077"])],
    "TX": [("Austin", ["78701", "78704", "78745"]), ("Plano", ["75024", "75093"]),
           ("El Paso", ["79901", "79912"]), ("San Antonio", ["78205", "78209"]),
           ("Lubbock", ["79401", "79410"]), ("Round Rock", ["78664", "78681"])],
    "MA": [("Cambridge", ["02138", "02139", "02140"]), ("Worcester", ["01608", "01609"]),
           ("Somerville", ["02143", "02144"]), ("Newton", ["02458", "02459"]), ("Quincy", ["02169"])],
    "FL": [("Tampa", ["33602", "33606", "33629"]), ("Coral Gables", ["33134", "33146"]),
           ("Boca Raton", ["33432", "33486"]), ("Orlando", ["32801", "32803"]),
           ("Tallahassee", ["32301", "32303"]), ("Sarasota", ["34236", "34239"])],
    "WA": [("Tacoma", ["98402", "98403", "98405"]), ("Bellevue", ["98004", "98006"]),
           ("Spokane", ["99201", "99203"]), ("Olympia", ["98501"])],
    "NJ": [("Hoboken", ["07030"]), ("Montclair", ["07042", "07043"]), ("Princeton", ["08540", "08542"]),
           ("Cherry Hill", ["08002", "08003"])],
    "CT": [("Stamford", ["06901", "06902", "06905"]), ("New Haven", ["06510", "06511"]), ("Greenwich", ["06830"])],
    "PA": [("Pittsburgh", ["15217", "15222", "15232"]), ("Allentown", ["18101", "18102"]),
           ("Lancaster", ["17601", "17603"])],
    "OH": [("Columbus", ["43201", "43215"]), ("Dayton", ["45402"]), ("Cincinnati", ["45202", "45208"])],
    "GA": [("Savannah", ["31401", "31405"]), ("Decatur", ["30030"]), ("Athens", ["30601"])],
    "NC": [("Durham", ["27701", "27705"]), ("Asheville", ["28801", "28803"]), ("Raleigh", ["27601", "27608"])],
    "CO": [("Boulder", ["80302", "80304"]), ("Fort Collins", ["80521", "80524"]), ("Denver", ["80202", "80206"])],
    "AZ": [("Scottsdale", ["85251", "85254"]), ("Tempe", ["85281", "85282"]), ("Tucson", ["85701", "85719"])],
    "MI": [("Ann Arbor", ["48103", "48104"]), ("Grand Rapids", ["49503", "49506"])],
    "MN": [("Minneapolis", ["55401", "55408"]), ("Duluth", ["55802"])],
    "MO": [("St. Louis", ["63101", "63110"]), ("Kansas City", ["64105", "64111"])],
    "TN": [("Nashville", ["37203", "37206"]), ("Knoxville", ["37902", "37919"])],
    "VA": [("Arlington", ["22201", "22203"]), ("Richmond", ["23219", "23220"]),
           ("Charlottesville", ["22902", "22903"])],
    "MD": [("Baltimore", ["21202", "21218"]), ("Bethesda", ["20814", "20816"])],
    "DE": [("Wilmington", ["19801", "19806"])],
    "OR": [("Portland", ["97205", "97209", "97214"]), ("Eugene", ["97401"])],
    "LA": [("New Orleans", ["70112", "70115", "70130"]), ("Baton Rouge", ["70802"])],
    "UT": [("Salt Lake City", ["84101", "84102"]), ("Provo", ["84601"])],
    "WI": [("Madison", ["53703", "53705"]), ("Milwaukee", ["53202"])],
    "KY": [("Louisville", ["40202", "40204"]), ("Lexington", ["40502", "40507"])],
}
STATE_NAMES = {"CA": "California", "NY": "New York", "IL": "Illinois", "TX": "Texas",
               "MA": "Massachusetts", "FL": "Florida", "WA": "Washington", "NJ": "New Jersey",
               "CT": "Connecticut", "PA": "Pennsylvania", "OH": "Ohio", "GA": "Georgia",
               "NC": "North Carolina", "CO": "Colorado", "AZ": "Arizona", "MI": "Michigan",
               "MN": "Minnesota", "MO": "Missouri", "TN": "Tennessee", "VA": "Virginia",
               "MD": "Maryland", "DE": "Delaware", "OR": "Oregon", "LA": "Louisiana",
               "UT": "Utah", "WI": "Wisconsin", "KY": "Kentucky"}
STATE_LIST = list(CITIES)

FOREIGN = [  # street, city, postal code, country
    ("Flat 3, 27 Elgin Crescent", "London", "W11 2JD", "United Kingdom"),
    ("14 Rathmines Road Upper", "Dublin", "D06 F2X4", "Ireland"),
    ("88 Spadina Avenue, Unit 1204", "Toronto", "M5V 2J4", "Canada"),
    ("1200 Hornby Street, Suite 905", "Vancouver", "V6Z 2E2", "Canada"),
    ("Keizersgracht 412-III", "Amsterdam", "1016 GC", "Netherlands"),
    ("Hohenzollernstraße 41", "Munich", "80801", "Germany"),
    ("12 Rue de Turenne", "Paris", "75004", "France"),
    ("3-14-7 Ebisu, Shibuya-ku", "Tokyo", "150-0013", "Japan"),
    ("Calle de Velázquez 57, 3º B", "Madrid", "28001", "Spain"),
    ("45 Kloof Street", "Cape Town", "8001", "South Africa"),
]

STREET_NAMES = ["Larkspur", "Maple", "Old Mill", "Harbor View", "Juniper", "Cedar Ridge", "Wexford",
                "Kingsbury", "Alder", "Magnolia", "Sycamore", "Pinecrest", "Lakeshore", "Briarwood",
                "Orchard", "Ridgeline", "Chestnut", "Fairmount", "Quarry", "Tamarack", "Bellflower",
                "Cottonwood", "Hawthorne", "Linden", "Mulberry", "Osage", "Prospect", "Sandpiper",
                "Thistle", "Woodlawn", "Grace", "Summit", "Aspen Hollow", "Bayberry", "Canterbury"]
STREET_SUFFIX = ["St", "Street", "Ave.", "Avenue", "Rd", "Road", "Ln", "Lane", "Dr.", "Drive", "Ct",
                 "Blvd", "Way", "Terrace", "Pl"]
AREA_CODES = ["212", "646", "718", "415", "510", "213", "310", "312", "773", "617", "857", "512",
              "214", "305", "813", "206", "253", "201", "203", "412", "614", "404", "919", "303",
              "480", "734", "612", "314", "615", "703", "410", "302", "503", "504", "801", "608",
              "502", "916", "949"]
EMAIL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "protonmail.com",
                 "hotmail.com", "comcast.net", "aol.com", "fastmail.com", "me.com", "verizon.net"]

LAW_FIRMS = [("Harbor & Pine LLP", "harborpine.law"), ("Northgate Law PLLC", "northgatelaw.com"),
             ("Meridian Legal Group", "meridianlegal.com"), ("Cobalt Street Legal LLP", "cobaltstreet.com"),
             ("Lantern Hill Partners LLP", "lanternhill.law"), ("Riverbend Law Offices", "riverbendlaw.com"),
             ("Granite Arch LLP", "granitearch.com"), ("Bluewater Counsel PC", "bluewatercounsel.com")]
FICT_COS = ["Delmar Logistics, Inc.", "Vireo Health Systems LLC", "Quillfeather Media Corp.",
            "Tessellate Software, Inc.", "Orchard Crest Apartments LLC", "Ironbridge Capital Partners LP",
            "Sunvale Foods Co.", "Brightline Staffing LLC", "Copperleaf Realty Trust",
            "Anvil & Ash Brewing Co.", "Polaris Freight Systems, Inc.", "Kestrel Biotherapeutics, Inc.",
            "Northwind Home Health LLC", "Bramblewood Senior Living, Inc.", "Tidewater Marine Services LLC"]
BROKERS = [("Ridgeview Wealth Partners", "ridgeviewwealth.com"), ("Copperline Securities", "copperlinesec.com"),
           ("Sterling Oak Advisors", "sterlingoak.com"), ("Bluepeak Invest", "bluepeak.io"),
           ("Halyard Private Client", "halyardpc.com"), ("Tern Financial", "ternfinancial.com")]
BOTS = ["Finch", "Beacon", "Compass", "Ledger Assistant", "Wren-AI", "Orbit"]

# --------------------------------------------------------------------------
# Legal reference material
# --------------------------------------------------------------------------
# key, short name, name, vol, reporter, first page, parallel cite, parenthetical, topic
CASES = [
    ("Marbury", "Marbury", "Marbury v. Madison", "5", "U.S. (1 Cranch)", "137", "", "1803", "const"),
    ("Brown", "Brown", "Brown v. Board of Education", "347", "U.S.", "483", "", "1954", "const"),
    ("Miranda", "Miranda", "Miranda v. Arizona", "384", "U.S.", "436", "", "1966", "crim"),
    ("Gideon", "Gideon", "Gideon v. Wainwright", "372", "U.S.", "335", "", "1963", "crim"),
    ("Mapp", "Mapp", "Mapp v. Ohio", "367", "U.S.", "643", "", "1961", "crim"),
    ("Terry", "Terry", "Terry v. Ohio", "392", "U.S.", "1", "", "1968", "crim"),
    ("Celotex", "Celotex", "Celotex Corp. v. Catrett", "477", "U.S.", "317", "", "1986", "sj"),
    ("Anderson", "Anderson", "Anderson v. Liberty Lobby, Inc.", "477", "U.S.", "242", "", "1986", "sj"),
    ("Matsushita", "Matsushita", "Matsushita Elec. Indus. Co. v. Zenith Radio Corp.", "475", "U.S.", "574", "", "1986", "sj"),
    ("Tolan", "Tolan", "Tolan v. Cotton", "572", "U.S.", "650", "", "2014", "sj"),
    ("Scott", "Scott", "Scott v. Harris", "550", "U.S.", "372", "", "2007", "sj"),
    ("Twombly", "Twombly", "Bell Atlantic Corp. v. Twombly", "550", "U.S.", "544", "", "2007", "plead"),
    ("Iqbal", "Iqbal", "Ashcroft v. Iqbal", "556", "U.S.", "662", "", "2009", "plead"),
    ("Erie", "Erie", "Erie R.R. Co. v. Tompkins", "304", "U.S.", "64", "", "1938", "juris"),
    ("IntlShoe", "International Shoe", "International Shoe Co. v. Washington", "326", "U.S.", "310", "", "1945", "pj"),
    ("Pennoyer", "Pennoyer", "Pennoyer v. Neff", "95", "U.S.", "714", "", "1878", "pj"),
    ("WWVW", "World-Wide Volkswagen", "World-Wide Volkswagen Corp. v. Woodson", "444", "U.S.", "286", "", "1980", "pj"),
    ("BurgerKing", "Burger King", "Burger King Corp. v. Rudzewicz", "471", "U.S.", "462", "", "1985", "pj"),
    ("Daimler", "Daimler", "Daimler AG v. Bauman", "571", "U.S.", "117", "", "2014", "pj"),
    ("Goodyear", "Goodyear", "Goodyear Dunlop Tires Operations, S.A. v. Brown", "564", "U.S.", "915", "", "2011", "pj"),
    ("Walden", "Walden", "Walden v. Fiore", "571", "U.S.", "277", "", "2014", "pj"),
    ("FordMT", "Ford", "Ford Motor Co. v. Montana Eighth Judicial District Court", "141", "S. Ct.", "1017", "", "2021", "pj"),
    ("Calder", "Calder", "Calder v. Jones", "465", "U.S.", "783", "", "1984", "pj"),
    ("Keeton", "Keeton", "Keeton v. Hustler Magazine, Inc.", "465", "U.S.", "770", "", "1984", "pj"),
    ("Shaffer", "Shaffer", "Shaffer v. Heitner", "433", "U.S.", "186", "", "1977", "pj"),
    ("Daubert", "Daubert", "Daubert v. Merrell Dow Pharmaceuticals, Inc.", "509", "U.S.", "579", "", "1993", "expert"),
    ("Kumho", "Kumho Tire", "Kumho Tire Co. v. Carmichael", "526", "U.S.", "137", "", "1999", "expert"),
    ("Joiner", "Joiner", "General Electric Co. v. Joiner", "522", "U.S.", "136", "", "1997", "expert"),
    ("Basic", "Basic", "Basic Inc. v. Levinson", "485", "U.S.", "224", "", "1988", "sec"),
    ("TSC", "TSC Industries", "TSC Industries, Inc. v. Northway, Inc.", "426", "U.S.", "438", "", "1976", "sec"),
    ("Dura", "Dura", "Dura Pharmaceuticals, Inc. v. Broudo", "544", "U.S.", "336", "", "2005", "sec"),
    ("Tellabs", "Tellabs", "Tellabs, Inc. v. Makor Issues & Rights, Ltd.", "551", "U.S.", "308", "", "2007", "sec"),
    ("HalliburtonII", "Halliburton", "Halliburton Co. v. Erica P. John Fund, Inc.", "573", "U.S.", "258", "", "2014", "sec"),
    ("Morrison", "Morrison", "Morrison v. National Australia Bank Ltd.", "561", "U.S.", "247", "", "2010", "sec"),
    ("Howey", "Howey", "SEC v. W.J. Howey Co.", "328", "U.S.", "293", "", "1946", "sec"),
    ("Chiarella", "Chiarella", "Chiarella v. United States", "445", "U.S.", "222", "", "1980", "sec"),
    ("Dirks", "Dirks", "Dirks v. SEC", "463", "U.S.", "646", "", "1983", "sec"),
    ("OHagan", "O'Hagan", "United States v. O'Hagan", "521", "U.S.", "642", "", "1997", "sec"),
    ("Salman", "Salman", "Salman v. United States", "137", "S. Ct.", "420", "", "2016", "sec"),
    ("Hochfelder", "Hochfelder", "Ernst & Ernst v. Hochfelder", "425", "U.S.", "185", "", "1976", "sec"),
    ("BlueChip", "Blue Chip Stamps", "Blue Chip Stamps v. Manor Drug Stores", "421", "U.S.", "723", "", "1975", "sec"),
    ("SantaFe", "Santa Fe", "Santa Fe Industries, Inc. v. Green", "430", "U.S.", "462", "", "1977", "sec"),
    ("CentralBank", "Central Bank", "Central Bank of Denver, N.A. v. First Interstate Bank of Denver, N.A.", "511", "U.S.", "164", "", "1994", "sec"),
    ("Stoneridge", "Stoneridge", "Stoneridge Investment Partners, LLC v. Scientific-Atlanta, Inc.", "552", "U.S.", "148", "", "2008", "sec"),
    ("Janus", "Janus", "Janus Capital Group, Inc. v. First Derivative Traders", "564", "U.S.", "135", "", "2011", "sec"),
    ("Lorenzo", "Lorenzo", "Lorenzo v. SEC", "139", "S. Ct.", "1094", "", "2019", "sec"),
    ("Kokesh", "Kokesh", "Kokesh v. SEC", "137", "S. Ct.", "1635", "", "2017", "sec"),
    ("Liu", "Liu", "Liu v. SEC", "140", "S. Ct.", "1936", "", "2020", "sec"),
    ("Jarkesy", "Jarkesy", "SEC v. Jarkesy", "144", "S. Ct.", "2117", "", "2024", "sec"),
    ("TGS", "Texas Gulf Sulphur", "SEC v. Texas Gulf Sulphur Co.", "401", "F.2d", "833", "", "2d Cir. 1968", "sec"),
    ("Newman", "Newman", "United States v. Newman", "773", "F.3d", "438", "", "2d Cir. 2014", "sec"),
    ("Hanly", "Hanly", "Hanly v. SEC", "415", "F.2d", "589", "", "2d Cir. 1969", "broker"),
    ("CharlesHughes", "Charles Hughes", "Charles Hughes & Co. v. SEC", "139", "F.2d", "434", "", "2d Cir. 1943", "broker"),
    ("NewtonML", "Newton", "Newton v. Merrill, Lynch, Pierce, Fenner & Smith, Inc.", "135", "F.3d", "266", "", "3d Cir. 1998", "broker"),
    ("Hecht", "Hecht", "Hecht v. Harris, Upham & Co.", "430", "F.2d", "1202", "", "9th Cir. 1970", "broker"),
    ("Kardon", "Kardon", "Kardon v. National Gypsum Co.", "69", "F. Supp.", "512", "", "E.D. Pa. 1946", "broker"),
    ("McMahon", "McMahon", "Shearson/American Express Inc. v. McMahon", "482", "U.S.", "220", "", "1987", "arb"),
    ("RodriguezQ", "Rodriguez de Quijas", "Rodriguez de Quijas v. Shearson/American Express, Inc.", "490", "U.S.", "477", "", "1989", "arb"),
    ("Concepcion", "Concepcion", "AT&T Mobility LLC v. Concepcion", "563", "U.S.", "333", "", "2011", "arb"),
    ("Epic", "Epic Systems", "Epic Systems Corp. v. Lewis", "138", "S. Ct.", "1612", "", "2018", "arb"),
    ("HallStreet", "Hall Street", "Hall Street Associates, L.L.C. v. Mattel, Inc.", "552", "U.S.", "576", "", "2008", "arb"),
    ("Upjohn", "Upjohn", "Upjohn Co. v. United States", "449", "U.S.", "383", "", "1981", "priv"),
    ("Hickman", "Hickman", "Hickman v. Taylor", "329", "U.S.", "495", "", "1947", "priv"),
    ("Swidler", "Swidler & Berlin", "Swidler & Berlin v. United States", "524", "U.S.", "399", "", "1998", "priv"),
    ("KBR", "Kellogg Brown & Root", "In re Kellogg Brown & Root, Inc.", "756", "F.3d", "754", "", "D.C. Cir. 2014", "priv"),
    ("Strickland", "Strickland", "Strickland v. Washington", "466", "U.S.", "668", "", "1984", "crim"),
    ("Brady", "Brady", "Brady v. Maryland", "373", "U.S.", "83", "", "1963", "crim"),
    ("Batson", "Batson", "Batson v. Kentucky", "476", "U.S.", "79", "", "1986", "crim"),
    ("Katz", "Katz", "Katz v. United States", "389", "U.S.", "347", "", "1967", "crim"),
    ("Carpenter", "Carpenter", "Carpenter v. United States", "138", "S. Ct.", "2206", "", "2018", "crim"),
    ("Riley", "Riley", "Riley v. California", "573", "U.S.", "373", "", "2014", "crim"),
    ("Chevron", "Chevron", "Chevron U.S.A. Inc. v. Natural Resources Defense Council, Inc.", "467", "U.S.", "837", "", "1984", "const"),
    ("LoperBright", "Loper Bright", "Loper Bright Enterprises v. Raimondo", "144", "S. Ct.", "2244", "", "2024", "const"),
    ("Kisor", "Kisor", "Kisor v. Wilkie", "139", "S. Ct.", "2400", "", "2019", "const"),
    ("Mathews", "Mathews", "Mathews v. Eldridge", "424", "U.S.", "319", "", "1976", "const"),
    ("Goldberg", "Goldberg", "Goldberg v. Kelly", "397", "U.S.", "254", "", "1970", "const"),
    ("NYTSullivan", "Sullivan", "New York Times Co. v. Sullivan", "376", "U.S.", "254", "", "1964", "defam"),
    ("Hustler", "Hustler", "Hustler Magazine, Inc. v. Falwell", "485", "U.S.", "46", "", "1988", "defam"),
    ("Gertz", "Gertz", "Gertz v. Robert Welch, Inc.", "418", "U.S.", "323", "", "1974", "defam"),
    ("Milkovich", "Milkovich", "Milkovich v. Lorain Journal Co.", "497", "U.S.", "1", "", "1990", "defam"),
    ("Tinker", "Tinker", "Tinker v. Des Moines Independent Community School District", "393", "U.S.", "503", "", "1969", "const"),
    ("Obergefell", "Obergefell", "Obergefell v. Hodges", "576", "U.S.", "644", "", "2015", "const"),
    ("Loving", "Loving", "Loving v. Virginia", "388", "U.S.", "1", "", "1967", "const"),
    ("Griswold", "Griswold", "Griswold v. Connecticut", "381", "U.S.", "479", "", "1965", "const"),
    ("Lochner", "Lochner", "Lochner v. New York", "198", "U.S.", "45", "", "1905", "const"),
    ("Wickard", "Wickard", "Wickard v. Filburn", "317", "U.S.", "111", "", "1942", "const"),
    ("Lopez", "Lopez", "United States v. Lopez", "514", "U.S.", "549", "", "1995", "const"),
    ("Raich", "Raich", "Gonzales v. Raich", "545", "U.S.", "1", "", "2005", "const"),
    ("Youngstown", "Youngstown", "Youngstown Sheet & Tube Co. v. Sawyer", "343", "U.S.", "579", "", "1952", "const"),
    ("BakerCarr", "Baker", "Baker v. Carr", "369", "U.S.", "186", "", "1962", "const"),
    ("CitizensUnited", "Citizens United", "Citizens United v. FEC", "558", "U.S.", "310", "", "2010", "const"),
    ("McCulloch", "McCulloch", "McCulloch v. Maryland", "17", "U.S. (4 Wheat.)", "316", "", "1819", "const"),
    ("Gibbons", "Gibbons", "Gibbons v. Ogden", "22", "U.S. (9 Wheat.)", "1", "", "1824", "const"),
    ("Lujan", "Lujan", "Lujan v. Defenders of Wildlife", "504", "U.S.", "555", "", "1992", "class"),
    ("Spokeo", "Spokeo", "Spokeo, Inc. v. Robins", "578", "U.S.", "330", "", "2016", "class"),
    ("TransUnion", "TransUnion", "TransUnion LLC v. Ramirez", "141", "S. Ct.", "2190", "", "2021", "class"),
    ("Dukes", "Dukes", "Wal-Mart Stores, Inc. v. Dukes", "564", "U.S.", "338", "", "2011", "class"),
    ("Amchem", "Amchem", "Amchem Products, Inc. v. Windsor", "521", "U.S.", "591", "", "1997", "class"),
    ("Comcast", "Comcast", "Comcast Corp. v. Behrend", "569", "U.S.", "27", "", "2013", "class"),
    ("Tyson", "Tyson Foods", "Tyson Foods, Inc. v. Bouaphakeo", "577", "U.S.", "442", "", "2016", "class"),
    ("Hanna", "Hanna", "Hanna v. Plumer", "380", "U.S.", "460", "", "1965", "juris"),
    ("Klaxon", "Klaxon", "Klaxon Co. v. Stentor Electric Mfg. Co.", "313", "U.S.", "487", "", "1941", "juris"),
    ("Lexecon", "Lexecon", "Lexecon Inc. v. Milberg Weiss Bershad Hynes & Lerach", "523", "U.S.", "26", "", "1998", "juris"),
    ("AtlanticMarine", "Atlantic Marine", "Atlantic Marine Construction Co. v. U.S. District Court", "571", "U.S.", "49", "", "2013", "juris"),
    ("Piper", "Piper Aircraft", "Piper Aircraft Co. v. Reyno", "454", "U.S.", "235", "", "1981", "juris"),
    ("Grable", "Grable", "Grable & Sons Metal Products, Inc. v. Darue Engineering & Mfg.", "545", "U.S.", "308", "", "2005", "juris"),
    ("Allapattah", "Allapattah", "Exxon Mobil Corp. v. Allapattah Services, Inc.", "545", "U.S.", "546", "", "2005", "juris"),
    ("Hertz", "Hertz", "Hertz Corp. v. Friend", "559", "U.S.", "77", "", "2010", "juris"),
    ("Caterpillar", "Caterpillar", "Caterpillar Inc. v. Williams", "482", "U.S.", "386", "", "1987", "juris"),
    ("Mottley", "Mottley", "Louisville & Nashville R.R. Co. v. Mottley", "211", "U.S.", "149", "", "1908", "juris"),
    ("Mullane", "Mullane", "Mullane v. Central Hanover Bank & Trust Co.", "339", "U.S.", "306", "", "1950", "juris"),
    ("BMWGore", "Gore", "BMW of North America, Inc. v. Gore", "517", "U.S.", "559", "", "1996", "tort"),
    ("StateFarm", "State Farm", "State Farm Mutual Automobile Insurance Co. v. Campbell", "538", "U.S.", "408", "", "2003", "tort"),
    ("ExxonShipping", "Exxon Shipping", "Exxon Shipping Co. v. Baker", "554", "U.S.", "471", "", "2008", "tort"),
    ("Meritor", "Meritor", "Meritor Savings Bank, FSB v. Vinson", "477", "U.S.", "57", "", "1986", "emp"),
    ("McDonnell Douglas", "McDonnell Douglas", "McDonnell Douglas Corp. v. Green", "411", "U.S.", "792", "", "1973", "emp"),
    ("Faragher", "Faragher", "Faragher v. City of Boca Raton", "524", "U.S.", "775", "", "1998", "emp"),
    ("Ellerth", "Ellerth", "Burlington Industries, Inc. v. Ellerth", "524", "U.S.", "742", "", "1998", "emp"),
    ("Bostock", "Bostock", "Bostock v. Clayton County", "140", "S. Ct.", "1731", "", "2020", "emp"),
    ("PriceWaterhouse", "Price Waterhouse", "Price Waterhouse v. Hopkins", "490", "U.S.", "228", "", "1989", "emp"),
    ("Griggs", "Griggs", "Griggs v. Duke Power Co.", "401", "U.S.", "424", "", "1971", "emp"),
    ("BurlingtonWhite", "Burlington Northern", "Burlington Northern & Santa Fe Railway Co. v. White", "548", "U.S.", "53", "", "2006", "emp"),
    ("Kelo", "Kelo", "Kelo v. City of New London", "545", "U.S.", "469", "", "2005", "const"),
    ("PennCentral", "Penn Central", "Penn Central Transportation Co. v. New York City", "438", "U.S.", "104", "", "1978", "const"),
    ("Palsgraf", "Palsgraf", "Palsgraf v. Long Island R.R. Co.", "248", "N.Y.", "339", "162 N.E. 99", "1928", "tort"),
    ("MacPherson", "MacPherson", "MacPherson v. Buick Motor Co.", "217", "N.Y.", "382", "111 N.E. 1050", "1916", "tort"),
    ("Meinhard", "Meinhard", "Meinhard v. Salmon", "249", "N.Y.", "458", "164 N.E. 545", "1928", "corp"),
    ("Lucy", "Lucy", "Lucy v. Zehmer", "196", "Va.", "493", "84 S.E.2d 516", "1954", "contract"),
    ("Hawkins", "Hawkins", "Hawkins v. McGee", "84", "N.H.", "114", "146 A. 641", "1929", "contract"),
    ("Tarasoff", "Tarasoff", "Tarasoff v. Regents of University of California", "17", "Cal. 3d", "425", "551 P.2d 334", "1976", "tort"),
    ("LiYellow", "Li", "Li v. Yellow Cab Co.", "13", "Cal. 3d", "804", "532 P.2d 1226", "1975", "tort"),
    ("Escola", "Escola", "Escola v. Coca Cola Bottling Co.", "24", "Cal. 2d", "453", "150 P.2d 436", "1944", "tort"),
    ("Greenman", "Greenman", "Greenman v. Yuba Power Products, Inc.", "59", "Cal. 2d", "57", "377 P.2d 897", "1963", "tort"),
    ("Summers", "Summers", "Summers v. Tice", "33", "Cal. 2d", "80", "199 P.2d 1", "1948", "tort"),
    ("Sindell", "Sindell", "Sindell v. Abbott Laboratories", "26", "Cal. 3d", "588", "607 P.2d 924", "1980", "tort"),
    ("CarrollTowing", "Carroll Towing", "United States v. Carroll Towing Co.", "159", "F.2d", "169", "", "2d Cir. 1947", "tort"),
    ("VanGorkom", "Van Gorkom", "Smith v. Van Gorkom", "488", "A.2d", "858", "", "Del. 1985", "corp"),
    ("Revlon", "Revlon", "Revlon, Inc. v. MacAndrews & Forbes Holdings, Inc.", "506", "A.2d", "173", "", "Del. 1986", "corp"),
    ("Unocal", "Unocal", "Unocal Corp. v. Mesa Petroleum Co.", "493", "A.2d", "946", "", "Del. 1985", "corp"),
    ("Aronson", "Aronson", "Aronson v. Lewis", "473", "A.2d", "805", "", "Del. 1984", "corp"),
    ("Weinberger", "Weinberger", "Weinberger v. UOP, Inc.", "457", "A.2d", "701", "", "Del. 1983", "corp"),
    ("Caremark", "Caremark", "In re Caremark International Inc. Derivative Litigation", "698", "A.2d", "959", "", "Del. Ch. 1996", "corp"),
    ("Marchand", "Marchand", "Marchand v. Barnhill", "212", "A.3d", "805", "", "Del. 2019", "corp"),
    ("MFW", "MFW", "Kahn v. M&F Worldwide Corp.", "88", "A.3d", "635", "", "Del. 2014", "corp"),
    ("Corwin", "Corwin", "Corwin v. KKR Financial Holdings LLC", "125", "A.3d", "304", "", "Del. 2015", "corp"),
    ("StoneRitter", "Stone", "Stone v. Ritter", "911", "A.2d", "362", "", "Del. 2006", "corp"),
    ("Disney", "Disney", "In re Walt Disney Co. Derivative Litigation", "906", "A.2d", "27", "", "Del. 2006", "corp"),
    ("QVC", "QVC", "Paramount Communications Inc. v. QVC Network Inc.", "637", "A.2d", "34", "", "Del. 1994", "corp"),
    ("Omnicare", "Omnicare", "Omnicare, Inc. v. NCS Healthcare, Inc.", "818", "A.2d", "914", "", "Del. 2003", "corp"),
    ("Zapata", "Zapata", "Zapata Corp. v. Maldonado", "430", "A.2d", "779", "", "Del. 1981", "corp"),
    ("ZubulakeI", "Zubulake", "Zubulake v. UBS Warburg LLC", "217", "F.R.D.", "309", "", "S.D.N.Y. 2003", "edisc"),
    ("ZubulakeV", "Zubulake", "Zubulake v. UBS Warburg LLC", "229", "F.R.D.", "422", "", "S.D.N.Y. 2004", "edisc"),
    ("DaSilvaMoore", "Da Silva Moore", "Da Silva Moore v. Publicis Groupe", "287", "F.R.D.", "182", "", "S.D.N.Y. 2012", "edisc"),
    ("RioTinto", "Rio Tinto", "Rio Tinto PLC v. Vale S.A.", "306", "F.R.D.", "125", "", "S.D.N.Y. 2015", "edisc"),
    ("VictorStanley", "Victor Stanley", "Victor Stanley, Inc. v. Creative Pipe, Inc.", "250", "F.R.D.", "251", "", "D. Md. 2008", "edisc"),
    ("Mancia", "Mancia", "Mancia v. Mayflower Textile Services Co.", "253", "F.R.D.", "354", "", "D. Md. 2008", "edisc"),
    ("PensionComm", "Pension Committee", "Pension Committee of the University of Montreal Pension Plan v. Banc of America Securities, LLC", "685", "F. Supp. 2d", "456", "", "S.D.N.Y. 2010", "edisc"),
    ("ResidentialFunding", "Residential Funding", "Residential Funding Corp. v. DeGeorge Financial Corp.", "306", "F.3d", "99", "", "2d Cir. 2002", "edisc"),
    ("Feist", "Feist", "Feist Publications, Inc. v. Rural Telephone Service Co.", "499", "U.S.", "340", "", "1991", "ip"),
    ("Alice", "Alice", "Alice Corp. v. CLS Bank International", "573", "U.S.", "208", "", "2014", "ip"),
    ("eBay", "eBay", "eBay Inc. v. MercExchange, L.L.C.", "547", "U.S.", "388", "", "2006", "ip"),
    ("Campbell", "Campbell", "Campbell v. Acuff-Rose Music, Inc.", "510", "U.S.", "569", "", "1994", "ip"),
    ("Sony", "Sony", "Sony Corp. of America v. Universal City Studios, Inc.", "464", "U.S.", "417", "", "1984", "ip"),
    ("Napster", "Napster", "A&M Records, Inc. v. Napster, Inc.", "239", "F.3d", "1004", "", "9th Cir. 2001", "ip"),
    ("hiQ", "hiQ", "hiQ Labs, Inc. v. LinkedIn Corp.", "31", "F.4th", "1180", "", "9th Cir. 2022", "ip"),
    ("VanBuren", "Van Buren", "Van Buren v. United States", "141", "S. Ct.", "1648", "", "2021", "ip"),
    ("Winter", "Winter", "Winter v. Natural Resources Defense Council, Inc.", "555", "U.S.", "7", "", "2008", "juris"),
    ("Harlow", "Harlow", "Harlow v. Fitzgerald", "457", "U.S.", "800", "", "1982", "civrights"),
    ("Monell", "Monell", "Monell v. Department of Social Services", "436", "U.S.", "658", "", "1978", "civrights"),
    ("Bivens", "Bivens", "Bivens v. Six Unknown Named Agents of Federal Bureau of Narcotics", "403", "U.S.", "388", "", "1971", "civrights"),
    ("Heck", "Heck", "Heck v. Humphrey", "512", "U.S.", "477", "", "1994", "civrights"),
    ("ArthurAndersen", "Arthur Andersen", "Arthur Andersen LLP v. United States", "544", "U.S.", "696", "", "2005", "crim"),
    ("Skilling", "Skilling", "Skilling v. United States", "561", "U.S.", "358", "", "2010", "crim"),
    ("Jacobson", "Jacobson", "Jacobson v. Massachusetts", "197", "U.S.", "11", "", "1905", "const"),
    ("Troxel", "Troxel", "Troxel v. Granville", "530", "U.S.", "57", "", "2000", "family"),
    ("Santosky", "Santosky", "Santosky v. Kramer", "455", "U.S.", "745", "", "1982", "family"),
    ("Palmore", "Palmore", "Palmore v. Sidoti", "466", "U.S.", "429", "", "1984", "family"),
    ("Baral", "Baral", "Baral v. Schnitt", "1", "Cal. 5th", "376", "", "2016", "slapp"),
    ("Equilon", "Equilon", "Equilon Enterprises v. Consumer Cause, Inc.", "29", "Cal. 4th", "53", "", "2002", "slapp"),
    ("Navellier", "Navellier", "Navellier v. Sletten", "29", "Cal. 4th", "82", "", "2002", "slapp"),
    ("Leon", "Leon", "Leon v. Martinez", "84", "N.Y.2d", "83", "", "1994", "nyproc"),
    ("Goshen", "Goshen", "Goshen v. Mutual Life Insurance Co. of New York", "98", "N.Y.2d", "314", "", "2002", "nyproc"),
]
CASE_BY_KEY = {c[0]: c for c in CASES}
assert len(CASE_BY_KEY) == len(CASES)

FED = [  # long name, abbreviation, caption line, state name, circuit
    ("U.S. District Court for the Southern District of New York", "S.D.N.Y.", "SOUTHERN DISTRICT OF NEW YORK", "New York", "Second Circuit"),
    ("U.S. District Court for the Eastern District of New York", "E.D.N.Y.", "EASTERN DISTRICT OF NEW YORK", "New York", "Second Circuit"),
    ("U.S. District Court for the Northern District of California", "N.D. Cal.", "NORTHERN DISTRICT OF CALIFORNIA", "California", "Ninth Circuit"),
    ("U.S. District Court for the Central District of California", "C.D. Cal.", "CENTRAL DISTRICT OF CALIFORNIA", "California", "Ninth Circuit"),
    ("U.S. District Court for the District of Massachusetts", "D. Mass.", "DISTRICT OF MASSACHUSETTS", "Massachusetts", "First Circuit"),
    ("U.S. District Court for the Northern District of Illinois", "N.D. Ill.", "NORTHERN DISTRICT OF ILLINOIS", "Illinois", "Seventh Circuit"),
    ("U.S. District Court for the Western District of Texas", "W.D. Tex.", "WESTERN DISTRICT OF TEXAS", "Texas", "Fifth Circuit"),
    ("U.S. District Court for the District of New Jersey", "D.N.J.", "DISTRICT OF NEW JERSEY", "New Jersey", "Third Circuit"),
    ("U.S. District Court for the Southern District of Florida", "S.D. Fla.", "SOUTHERN DISTRICT OF FLORIDA", "Florida", "Eleventh Circuit"),
    ("U.S. District Court for the Western District of Washington", "W.D. Wash.", "WESTERN DISTRICT OF WASHINGTON", "Washington", "Ninth Circuit"),
    ("U.S. District Court for the Eastern District of Virginia", "E.D. Va.", "EASTERN DISTRICT OF VIRGINIA", "Virginia", "Fourth Circuit"),
    ("U.S. District Court for the District of Delaware", "D. Del.", "DISTRICT OF DELAWARE", "Delaware", "Third Circuit"),
    ("U.S. District Court for the Eastern District of Pennsylvania", "E.D. Pa.", "EASTERN DISTRICT OF PENNSYLVANIA", "Pennsylvania", "Third Circuit"),
    ("U.S. District Court for the District of Colorado", "D. Colo.", "DISTRICT OF COLORADO", "Colorado", "Tenth Circuit"),
]
STATE_COURTS = [  # court, state, docket style
    ("Superior Court of California, County of Los Angeles", "California", "lasc"),
    ("Superior Court of California, County of Alameda", "California", "alameda"),
    ("Supreme Court of the State of New York, County of New York", "New York", "nyindex"),
    ("New York Supreme Court, Commercial Division", "New York", "nyindex"),
    ("Circuit Court of Cook County", "Illinois", "cook"),
    ("Delaware Court of Chancery", "Delaware", "chancery"),
    ("Massachusetts Superior Court", "Massachusetts", "mass"),
    ("Travis County District Court", "Texas", "travis"),
    ("King County Superior Court", "Washington", "king"),
    ("Fulton County Superior Court", "Georgia", "fulton"),
]
SOL = {  # personal-injury limitation statutes
    "TX": ("Tex. Civ. Prac. & Rem. Code § 16.003", "two years"),
    "CA": ("Cal. Civ. Proc. Code § 335.1", "two years"),
    "NY": ("N.Y. C.P.L.R. 214(5)", "three years"),
    "IL": ("735 ILCS 5/13-202", "two years"),
    "GA": ("Ga. Code Ann. § 9-3-33", "two years"),
    "VA": ("Va. Code Ann. § 8.01-243(A)", "two years"),
    "NJ": ("N.J. Stat. Ann. § 2A:14-2", "two years"),
    "MA": ("Mass. Gen. Laws ch. 260, § 2A", "three years"),
    "WA": ("Wash. Rev. Code § 4.16.080(2)", "three years"),
    "PA": ("42 Pa. Cons. Stat. § 5524", "two years"),
    "OH": ("Ohio Rev. Code Ann. § 2305.10", "two years"),
    "CO": ("Colo. Rev. Stat. § 13-80-101", "three years for motor-vehicle claims"),
}
DEPOSIT_LAW = {
    "CA": ("Cal. Civ. Code § 1950.5", "21 days"),
    "NY": ("N.Y. Gen. Oblig. Law § 7-108", "14 days"),
    "TX": ("Tex. Prop. Code § 92.103", "30 days"),
    "MA": ("Mass. Gen. Laws ch. 186, § 15B", "30 days"),
    "FL": ("Fla. Stat. § 83.49", "15 to 30 days"),
    "IL": ("765 ILCS 710/1", "30 to 45 days"),
    "WA": ("Wash. Rev. Code § 59.18.280", "21 days"),
}
ANTI_SLAPP = {
    "CA": "Cal. Civ. Proc. Code § 425.16",
    "TX": "Tex. Civ. Prac. & Rem. Code § 27.003",
    "NY": "N.Y. Civ. Rights Law § 76-a",
    "WA": "Wash. Rev. Code § 4.105.020",
    "GA": "Ga. Code Ann. § 9-11-11.1",
    "CO": "Colo. Rev. Stat. § 13-20-1101",
}
CONSUMER = {
    "CA": "Cal. Bus. & Prof. Code § 17200",
    "NY": "N.Y. Gen. Bus. Law § 349",
    "MA": "Mass. Gen. Laws ch. 93A, § 9",
    "TX": "Tex. Bus. & Com. Code § 17.46",
    "FL": "Fla. Stat. § 501.204",
    "IL": "815 ILCS 505/2",
    "NJ": "N.J. Stat. Ann. § 56:8-2",
}

# --------------------------------------------------------------------------
# Market reference material
# --------------------------------------------------------------------------
# symbol: (company, approximate price, CUSIP or None)
STOCKS = {
    "AAPL": ("Apple", 190, "037833100"), "MSFT": ("Microsoft", 420, "594918104"),
    "NVDA": ("NVIDIA", 120, "67066G104"), "TSLA": ("Tesla", 240, "88160R101"),
    "AMZN": ("Amazon", 185, "023135106"), "GOOGL": ("Alphabet", 170, "02079K305"),
    "META": ("Meta Platforms", 500, "30303M102"), "JPM": ("JPMorgan Chase", 200, "46625H100"),
    "JNJ": ("Johnson & Johnson", 155, "478160104"), "F": ("Ford Motor Company", 12, "345370860"),
    "T": ("AT&T", 19, "00206R102"), "C": ("Citigroup", 62, "172967424"), "V": ("Visa", 275, "92826C839"),
    "X": ("United States Steel", 38, "912909108"), "K": ("Kellanova", 80, "487836108"),
    "O": ("Realty Income", 55, "756109104"), "D": ("Dominion Energy", 52, "25746U109"),
    "A": ("Agilent Technologies", 135, "00846U101"), "L": ("Loews", 78, "540424108"),
    "M": ("Macy's", 17, "55616P104"), "Z": ("Zillow Group", 50, None), "R": ("Ryder System", 130, None),
    "J": ("Jacobs Solutions", 140, None), "U": ("Unity Software", 20, None), "W": ("Wayfair", 50, None),
    "KIM": ("Kimco Realty", 20, None), "ED": ("Consolidated Edison", 95, "209115104"),
    "AL": ("Air Lease", 45, None), "BEN": ("Franklin Resources", 22, "354613101"),
    "JOE": ("St. Joe Company", 55, None), "CAT": ("Caterpillar", 340, "149123101"),
    "LOW": ("Lowe's", 230, "548661107"), "KEY": ("KeyCorp", 15, "493267108"),
    "ALL": ("Allstate", 180, "020002101"), "NOW": ("ServiceNow", 780, "81762P102"),
    "EAT": ("Brinker International", 70, None), "LUV": ("Southwest Airlines", 28, "844741108"),
    "HOG": ("Harley-Davidson", 35, "412822108"), "GS": ("Goldman Sachs", 470, "38141G104"),
    "MS": ("Morgan Stanley", 100, "617446448"), "SCHW": ("Charles Schwab", 70, "808513105"),
    "WFC": ("Wells Fargo", 58, "949746101"), "PG": ("Procter & Gamble", 165, "742718109"),
    "LLY": ("Eli Lilly", 850, "532457108"), "DIS": ("Walt Disney", 95, "254687106"),
    "HSY": ("Hershey", 190, "427866108"), "MAR": ("Marriott International", 240, "571903202"),
    "HLT": ("Hilton Worldwide", 220, None), "RL": ("Ralph Lauren", 180, None),
    "EL": ("Estée Lauder", 95, "518439104"), "MCD": ("McDonald's", 260, "580135101"),
    "WEN": ("Wendy's", 17, None), "DDS": ("Dillard's", 400, None), "KSS": ("Kohl's", 20, None),
    "TSN": ("Tyson Foods", 58, "902494103"), "DELL": ("Dell Technologies", 120, None),
    "BRK.B": ("Berkshire Hathaway", 410, "084670702"), "COST": ("Costco", 850, "22160K105"),
    "WMT": ("Walmart", 68, "931142103"), "TGT": ("Target", 150, "87612E106"),
    "CVX": ("Chevron", 155, "166764100"), "BA": ("Boeing", 180, "097023105"),
    "MRK": ("Merck", 125, "58933Y105"), "PFE": ("Pfizer", 28, "717081103"),
    "KO": ("Coca-Cola", 62, "191216100"), "PEP": ("PepsiCo", 170, "713448108"),
    "ARE": ("Alexandria Real Estate Equities", 115, None), "CASH": ("Pathward Financial", 55, None),
    "PLAY": ("Dave & Buster's", 35, None), "TAP": ("Molson Coors", 55, None),
    "BALL": ("Ball Corporation", 60, None), "HAS": ("Hasbro", 60, None), "MAT": ("Mattel", 18, None),
    "SBUX": ("Starbucks", 90, "855244109"), "HD": ("Home Depot", 360, "437076102"),
    "XOM": ("Exxon Mobil", 115, "30231G102"),
}
ETFS = {
    "SPY": ("SPDR S&P 500 ETF Trust", 540, "78462F103"), "QQQ": ("Invesco QQQ Trust", 470, "46090E103"),
    "IWM": ("iShares Russell 2000 ETF", 205, "464287655"), "VOO": ("Vanguard S&P 500 ETF", 495, "922908363"),
    "VTI": ("Vanguard Total Stock Market ETF", 265, "922908769"),
    "VXUS": ("Vanguard Total International Stock ETF", 62, None),
    "BND": ("Vanguard Total Bond Market ETF", 73, "921937835"),
    "AGG": ("iShares Core U.S. Aggregate Bond ETF", 98, "464287226"),
    "TLT": ("iShares 20+ Year Treasury Bond ETF", 92, "464287432"),
    "GLD": ("SPDR Gold Shares", 215, "78463V107"), "SCHD": ("Schwab U.S. Dividend Equity ETF", 80, None),
    "XLF": ("Financial Select Sector SPDR Fund", 42, None), "XLK": ("Technology Select Sector SPDR Fund", 220, None),
    "XLE": ("Energy Select Sector SPDR Fund", 90, None), "IVV": ("iShares Core S&P 500 ETF", 545, None),
}
BOND_ETFS = ["BND", "AGG", "TLT"]
EQUITY_ETFS = ["SPY", "QQQ", "IWM", "VOO", "VTI", "VXUS", "SCHD", "XLF", "XLK", "XLE", "IVV"]
INDICES = ["S&P 500", "Nasdaq-100", "Nasdaq Composite", "Dow Jones Industrial Average", "Russell 2000",
           "Russell 1000 Growth", "MSCI EAFE", "MSCI Emerging Markets Index", "Bloomberg U.S. Aggregate Bond Index",
           "FTSE 100", "Nikkei 225", "Euro Stoxx 50", "Stoxx Europe 600", "DAX", "Hang Seng",
           "S&P MidCap 400", "KBW Bank Index", "PHLX Semiconductor Index", "Cboe Volatility Index"]
MUTUAL_FUNDS = ["Fidelity 500 Index Fund", "Vanguard Federal Money Market Fund",
                "Fidelity Government Money Market Fund", "Vanguard Target Retirement 2050 Fund",
                "Vanguard Wellington Fund", "American Funds Growth Fund of America",
                "T. Rowe Price Blue Chip Growth Fund", "Schwab Value Advantage Money Fund"]
ONE_LETTER = ["F", "T", "C", "V", "X", "K", "O", "D", "A", "L", "M", "Z", "R", "J", "U", "W"]
WORD_TICKERS = ["KIM", "ED", "AL", "BEN", "JOE", "CAT", "LOW", "KEY", "ALL", "NOW", "EAT", "LUV", "HOG",
                "ARE", "CASH", "PLAY", "TAP", "BALL", "HAS", "MAT"]
PERSON_COS = ["JNJ", "F", "GS", "MS", "SCHW", "WFC", "PG", "LLY", "DIS", "HSY", "MAR", "HLT", "RL", "EL",
              "MCD", "WEN", "DDS", "KSS", "TSN", "DELL", "M", "HOG", "BEN", "JOE", "PLAY", "TAP"]
BIG = ["AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "GOOGL", "META", "JPM", "V", "COST", "WMT", "HD", "XOM",
       "CVX", "KO", "PEP", "MRK", "PFE", "BA", "CAT", "NOW", "LLY"]
DIVIDEND = ["KO", "PEP", "JNJ", "PG", "O", "ED", "D", "T", "XOM", "CVX", "MRK", "KIM", "HSY", "MCD", "PFE", "KEY"]


def cusip_check(base8):
    total = 0
    for i, ch in enumerate(base8):
        if ch.isdigit():
            v = int(ch)
        elif ch.isalpha():
            v = ord(ch.upper()) - 55
        elif ch == "*":
            v = 36
        elif ch == "@":
            v = 37
        else:
            v = 38
        if i % 2 == 1:
            v *= 2
        total += v // 10 + v % 10
    return str((10 - total % 10) % 10)


def isin_check(body11):
    digits = "".join(str(int(ch, 36)) for ch in body11)
    total = 0
    for i, ch in enumerate(reversed(digits)):
        v = int(ch)
        if i % 2 == 0:
            v *= 2
        total += v // 10 + v % 10
    return str((10 - total % 10) % 10)


assert isin_check("US037833100") == "5"          # Apple: US0378331005
assert cusip_check("03783310") == "0"
for _tbl in (STOCKS, ETFS):
    for _sym, (_co, _px, _cu) in list(_tbl.items()):
        if _cu is not None and cusip_check(_cu[:8]) != _cu[8]:
            print("warning: dropping CUSIP with bad check digit for", _sym, file=sys.stderr)
            _tbl[_sym] = (_co, _px, None)

REGS = {
    "kyc": ["FINRA Rule 2090", "FINRA Rule 4512", "31 CFR 1023.220", "FINRA Rule 2111"],
    "margin": ["FINRA Rule 4210", "Regulation T", "Reg T", "FINRA Rule 4210(g)"],
    "options": ["FINRA Rule 2360", "FINRA Rule 2360(b)(16)", "Options Disclosure Document"],
    "conduct": ["Regulation Best Interest", "Reg BI", "FINRA Rule 2111", "FINRA Rule 3110", "FINRA Rule 2010"],
    "elder": ["FINRA Rule 2165", "FINRA Rule 4512(a)(1)(F)"],
    "insider": ["Rule 10b5-1", "Rule 144", "Form 4", "Form 144", "Rule 10b-5"],
    "complaints": ["FINRA Rule 4530", "FINRA Rule 4513", "Rule 17a-4"],
    "shorts": ["Reg SHO", "Rule 203(b)", "Rule 204"],
    "forms": ["Form CRS", "Form ADV Part 2A", "Form W-9", "Form W-8BEN", "Form 1099-B", "Form 5498"],
}

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
MON_ABBR = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
MON3 = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def ordinal(n):
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def ascii_fold(s):
    return "".join(ch for ch in unicodedata.normalize("NFKD", s) if ch.isascii() and ch.isalnum())


class Person:
    pass


class Decks:
    """Shared shuffled decks so that draws spread over the whole list."""

    def __init__(self, rng):
        self.rng = rng
        self.decks = {}

    def draw(self, name, items):
        d = self.decks.get(name)
        if not d:
            d = list(items)
            self.rng.shuffle(d)
            self.decks[name] = d
        return d.pop()


class Ctx:
    def __init__(self, rng, domain, decks):
        self.r = rng
        self.domain = domain
        self.decks = decks
        self.vars = []
        self.raw = set()
        self.used_first = set()
        self.used_last = set()
        self.cited = []
        self.last_case = None
        self.hstyle = rng.choice(["title", "title", "upper", "lower"])

    # ---- registration ----
    def _reg(self, cat, label, value, raw=False):
        assert value and value == value.strip(), repr(value)
        allowed = PII_LABELS if cat == "pii" else KEEP_LABELS[self.domain]
        assert label in allowed, (label, self.domain)
        idx = len(self.vars)
        self.vars.append((cat, label, value))
        if raw:
            self.raw.add(idx)
        return f"{OPEN}{idx}{CLOSE}"

    def P(self, label, value, raw=False):
        return self._reg("pii", label, value, raw)

    def K(self, label, value, raw=False):
        return self._reg("keep", label, value, raw)

    def json(self, obj, indent=None):
        s = json.dumps(obj, ensure_ascii=False, indent=indent)
        return JSON_RAW_RE.sub(lambda m: m.group(0)[1:-1] if int(m.group(1)) in self.raw else m.group(0), s)

    # ---- random utilities ----
    def pick(self, seq):
        return self.r.choice(seq)

    def chance(self, p=0.5):
        return self.r.random() < p

    def digits(self, n):
        return "".join(self.r.choice("0123456789") for _ in range(n))

    def letters(self, n):
        return "".join(self.r.choice("ABCDEFGHJKLMNPRSTUVWXY") for _ in range(n))

    def h(self, word):
        if self.hstyle == "upper":
            return word.upper()
        if self.hstyle == "lower":
            return word.lower()
        return word

    # ---- people ----
    def person(self, state=None, last=None, gender=None, firm=None):
        r = self.r
        p = Person()
        g = gender or r.choice(["F", "F", "M", "M", "U"])
        pool = {"F": FIRST_F, "M": FIRST_M, "U": FIRST_U}[g]
        for _ in range(100):
            first = r.choice(pool)
            if first not in self.used_first and first not in self.used_last:
                break
        if last is None:
            for _ in range(100):
                last = r.choice(LAST)
                if last not in self.used_last and last not in self.used_first and last != first:
                    break
        self.used_first.add(first)
        self.used_last.add(last)
        p.first, p.last, p.gender = first, last, g
        p.full = f"{first} {last}"
        p.title = {"F": r.choice(["Ms.", "Ms.", "Mrs.", "Dr."]), "M": r.choice(["Mr.", "Mr.", "Dr."]),
                   "U": r.choice(["Mx.", "Dr."])}[g]
        st = state or r.choice(STATE_LIST)
        city, zips = r.choice(CITIES[st])
        p.st, p.state, p.city = st, STATE_NAMES[st], city
        z = r.choice(zips)
        if r.random() < 0.15:
            z += "-%04d" % r.randint(1, 9999)
        p.zip = z
        num = str(r.choice([r.randint(2, 99), r.randint(100, 999), r.randint(1000, 19999)]))
        street = f"{num} {r.choice(STREET_NAMES)} {r.choice(STREET_SUFFIX)}"
        if r.random() < 0.3:
            street += r.choice([f", Apt {r.randint(1, 30)}{r.choice('ABCDEF')}", f", Unit {r.randint(2, 40)}",
                                f" #{r.randint(101, 2405)}", f", Apt. {r.randint(2, 19)}"])
        p.street = street
        area = r.choice(AREA_CODES)
        if r.random() < 0.5:
            exch, line = "555", "01%02d" % r.randint(0, 99)
        else:
            exch, line = str(r.randint(201, 989)), "%04d" % r.randint(0, 9999)
            if exch == "555":
                exch = "556"
        p.phone = r.choice([f"({area}) {exch}-{line}", f"{area}-{exch}-{line}", f"{area}.{exch}.{line}",
                            f"+1 {area} {exch} {line}", f"+1-{area}-{exch}-{line}", f"({area}) {exch}-{line}"])
        f_, l_ = ascii_fold(first).lower(), ascii_fold(last).lower()
        if firm:
            local = r.choice([f"{f_[0]}{l_}", f"{f_}.{l_}", f"{f_}"])
            p.email = f"{local}@{firm}"
        else:
            local = r.choice([f"{f_}.{l_}", f"{f_[0]}{l_}", f"{f_}{l_[0]}{r.randint(1, 99)}", f"{l_}.{f_}",
                              f"{f_}_{l_}{r.randint(60, 99)}", f"{f_}{l_}", f"{f_[0]}.{l_}{r.randint(1, 9)}"])
            p.email = f"{local}@{r.choice(EMAIL_DOMAINS)}"
        p.dob = datetime.date(r.randint(1938, 2003), r.randint(1, 12), r.randint(1, 28))
        area_n = r.randint(1, 899)
        while area_n == 666:
            area_n = r.randint(1, 899)
        p.ssn = f"{area_n:03d}-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}"
        return p

    def N(self, p, lower=False):
        return self.P("NAME", p.full.lower() if lower else p.full)

    def F(self, p, lower=False):
        return self.P("NAME", p.first.lower() if lower else p.first)

    def L(self, p):
        return self.P("NAME", p.last)

    def T(self, p):
        return f"{p.title} {self.L(p)}"

    def I(self, p):
        return self.P("NAME", f"{p.first[0]}. {p.last}")

    def LF(self, p):
        return self.P("NAME", f"{p.last.upper() if self.chance(0.3) else p.last}, {p.first}")

    def EM(self, p):
        return self.P("EMAIL", p.email)

    def PH(self, p):
        return self.P("PHONE", p.phone)

    def SSN(self, p, last4=False):
        return self.P("SSN", p.ssn[-4:] if last4 else p.ssn)

    def STREET(self, p):
        return self.P("STREET_ADDRESS", p.street)

    def CITY(self, p):
        return self.P("CITY", p.city)

    def ZIP(self, p):
        return self.P("POSTAL_CODE", p.zip)

    def ST(self, p, full=None):
        if full is None:
            full = self.chance(0.3)
        return self.K("STATE", p.state if full else p.st)

    def ADDR(self, p, sep=", "):
        return f"{self.STREET(p)}{sep}{self.CITY(p)}, {self.ST(p)} {self.ZIP(p)}"

    def DOB(self, p, fmt=None):
        return self.P("DATE", self.fdate(p.dob, fmt or self.pick(["us", "us", "iso", "long", "abbr"])))

    # ---- dates ----
    def rdate(self, kind="event"):
        lo, hi = {"event": (2019, 2025), "recent": (2024, 2025), "future": (2025, 2026),
                  "old": (2012, 2020)}[kind]
        return datetime.date(self.r.randint(lo, hi), self.r.randint(1, 12), self.r.randint(1, 28))

    def fdate(self, d, fmt):
        m, dd, y = d.month, d.day, d.year
        if fmt == "long":
            return f"{MONTHS[m - 1]} {dd}, {y}"
        if fmt == "abbr":
            return f"{MON_ABBR[m - 1]} {dd}, {y}"
        if fmt == "us":
            return f"{m:02d}/{dd:02d}/{y}"
        if fmt == "us2":
            return f"{m}/{dd}/{y % 100:02d}"
        if fmt == "iso":
            return f"{y}-{m:02d}-{dd:02d}"
        if fmt == "intl":
            return f"{dd} {MONTHS[m - 1]} {y}"
        if fmt == "md":
            return f"{MONTHS[m - 1]} {dd}"
        if fmt == "mon3":
            return f"{dd:02d}-{MON3[m - 1]}-{y}"
        if fmt == "ord":
            return f"{ordinal(dd)} of {MONTHS[m - 1]}"
        raise ValueError(fmt)

    def date(self, kind="event", fmt=None, d=None):
        d = d or self.rdate(kind)
        fmt = fmt or self.pick(["long", "long", "abbr", "us", "intl", "md", "us2"])
        return self.P("DATE", self.fdate(d, fmt))

    def year(self, lo=2015, hi=2025, y=None):
        return self.K("YEAR", str(y if y is not None else self.r.randint(lo, hi)))

    # ---- identifiers ----
    def client_no(self):
        r = self.r
        v = r.choice([f"CL-{self.digits(5)}", f"{self.digits(6)}", f"C{self.digits(4)}-{self.letters(2)}",
                      f"CLT-{r.randint(19, 25)}-{self.digits(4)}"])
        return self.P("ID", v)

    def matter_no(self):
        r = self.r
        v = r.choice([f"{self.digits(5)}-{self.digits(3)}", f"{self.digits(6)}.{self.digits(4)}",
                      f"M-{r.randint(19, 25)}{self.digits(4)}", f"20{r.randint(19, 25)}-{self.digits(4)}-{r.choice(['LIT', 'EMP', 'CORP', 'FAM', 'RE', 'PI'])}"])
        return self.P("ID", v)

    def docket(self, fed=True, style=None):
        r = self.r
        yy = r.randint(19, 25)
        if fed:
            v = f"{r.randint(1, 4)}:{yy}-cv-{self.digits(5)}"
            if r.random() < 0.5:
                v += "-" + self.letters(r.choice([2, 3]))
            return self.P("ID", v)
        v = {"lasc": f"{yy}STCV{self.digits(5)}", "alameda": f"{yy}CV{self.digits(6)}",
             "nyindex": f"{self.digits(6)}/20{yy}", "cook": f"20{yy}-L-{self.digits(6)}",
             "chancery": f"20{yy}-{self.digits(4)}-{self.letters(3)}", "mass": f"{yy}84CV{self.digits(5)}",
             "travis": f"D-1-GN-{yy}-{self.digits(6)}", "king": f"{yy}-2-{self.digits(5)}-{r.randint(1, 9)} SEA",
             "fulton": f"20{yy}CV{self.digits(6)}"}[style]
        return self.P("ID", v)

    def dl(self, st):
        r = self.r
        v = {"CA": f"{self.letters(1)}{self.digits(7)}", "NY": f"{self.digits(3)} {self.digits(3)} {self.digits(3)}",
             "IL": f"{self.letters(1)}{self.digits(3)}-{self.digits(4)}-{self.digits(4)}",
             "TX": self.digits(8), "FL": f"{self.letters(1)}{self.digits(3)}-{self.digits(3)}-{self.digits(2)}-{self.digits(3)}-{self.digits(1)}",
             "WA": f"WDL{self.letters(3)}{self.digits(4)}{self.letters(2)}",
             "MA": f"S{self.digits(8)}", "NJ": f"{self.letters(1)}{self.digits(4)} {self.digits(5)} {self.digits(5)}"}.get(
            st, f"{self.letters(1)}{self.digits(8)}")
        return self.P("ID", v)

    def passport(self):
        return self.P("ID", self.pick([self.digits(9), f"{self.letters(1)}{self.digits(8)}"]))

    def acct(self, kind="brokerage"):
        r = self.r
        if kind == "brokerage":
            v = r.choice([f"Z{self.digits(2)}-{self.digits(6)}", f"{self.digits(4)}-{self.digits(4)}",
                          f"{r.randint(1, 9)}{self.letters(2)}-{self.digits(5)}", self.digits(8),
                          f"{self.letters(3)}-{self.digits(6)}-{self.digits(2)}"])
        elif kind == "ira":
            v = r.choice([f"IRA-{self.digits(7)}", f"{self.digits(4)}-{self.digits(4)}-R",
                          f"R{self.digits(2)}-{self.digits(6)}"])
        elif kind == "bank":
            v = self.digits(r.choice([10, 11, 12]))
        elif kind == "last4":
            v = self.digits(4)
        elif kind == "iban":
            v = f"GB{self.digits(2)} {self.letters(4)} {self.digits(4)} {self.digits(4)} {self.digits(4)} {self.digits(2)}"
        else:
            raise ValueError(kind)
        return self.P("ACCOUNT", v)

    # ---- legal keep values ----
    def cite(self, key=None, topic=None, pin=None):
        if key is None:
            pool = [c for c in CASES if (topic is None or c[8] == topic) and c not in self.cited]
            case = self.decks.draw("cases:" + (topic or "*"), [c for c in CASES if topic is None or c[8] == topic])
            if case in self.cited and pool:
                case = self.r.choice(pool)
        else:
            case = CASE_BY_KEY[key]
        if pin is None:
            pin = self.chance(0.45)
        key_, short, name, vol, rep, page, par, paren, _ = case
        s = f"{name}, {vol} {rep} {page}"
        if pin:
            s += f", {int(page) + self.r.randint(1, 24)}"
        if par:
            s += f", {par}"
        s += f" ({paren})"
        self.cited.append(case)
        self.last_case = case
        return self.K("CITATION", s)

    def short(self, key=None, pin=None):
        case = CASE_BY_KEY[key] if key else (self.r.choice(self.cited) if self.cited else self.r.choice(CASES))
        key_, short, name, vol, rep, page, par, paren, _ = case
        self.last_case = case
        p = int(page) + self.r.randint(1, 24)
        return self.K("CITATION", f"{short}, {vol} {rep} at {p}")

    def idc(self, lower=False, pin=True):
        base = "id." if lower else "Id."
        if pin and self.last_case:
            base += f" at {int(self.last_case[5]) + self.r.randint(1, 24)}"
        return self.K("CITATION", base)

    def fed(self):
        return self.pick(FED)

    def firm(self):
        return self.pick(LAW_FIRMS)

    def co(self):
        return self.pick(FICT_COS)

    # ---- trading keep values ----
    def TK(self, sym):
        return self.K("TICKER", sym)

    def CO(self, sym):
        tbl = STOCKS if sym in STOCKS else ETFS
        return self.K("COMPANY" if sym in STOCKS else "INDEX", tbl[sym][0])

    def pxv(self, sym):
        base = (STOCKS.get(sym) or ETFS.get(sym))[1]
        return round(base * (1 + self.r.uniform(-0.09, 0.09)), 2)

    def money(self, x, dollar=True, dec=2, raw=False):
        s = f"{x:,.{dec}f}"
        return self.K("NUMBER", ("$" + s) if dollar else s, raw=raw)

    def num(self, n, comma=True, raw=False):
        return self.K("NUMBER", f"{n:,}" if comma else str(n), raw=raw)

    def pct(self, x, dec=1):
        return self.K("NUMBER", f"{x:.{dec}f}%")

    def spct(self, x, dec=2):
        return self.K("NUMBER", f"{x:+.{dec}f}%")

    def qty(self, lo=10, hi=2000, step=5):
        return self.r.randrange(lo, hi + 1, step)

    def REG(self, group=None, value=None):
        return self.K("REG", value or self.pick(REGS[group]))

    def IDX(self, value=None):
        return self.K("INDEX", value or self.pick(INDICES))

    def cusip(self, sym):
        return self.K("NUMBER", (STOCKS.get(sym) or ETFS.get(sym))[2])

    def isin(self, sym):
        cu = (STOCKS.get(sym) or ETFS.get(sym))[2]
        return self.K("NUMBER", "US" + cu + isin_check("US" + cu))

    def with_cusip(self, pool):
        return [s for s in pool if (STOCKS.get(s) or ETFS.get(s))[2]]

    def syms(self, pool, k):
        return self.r.sample(pool, k)

    # ---- render ----
    def render(self, s):
        out, spans, pos, last = [], [], 0, 0
        for m in PH_RE.finditer(s):
            lit = s[last:m.start()]
            out.append(lit)
            pos += len(lit)
            cat, label, val = self.vars[int(m.group(1))]
            spans.append((pos, pos + len(val), cat, label, val))
            out.append(val)
            pos += len(val)
            last = m.end()
        out.append(s[last:])
        text = "".join(out)
        assert OPEN not in text and CLOSE not in text
        return text, spans


def token_pattern(val):
    return re.compile(r"(?<!\w)(?<!\d[.,])" + re.escape(val) + r"(?!\w)(?![.,]\d)")


def validate(text, spans):
    """Return None if OK, else a reason string."""
    spans = sorted(spans)
    for i, (s, e, cat, label, val) in enumerate(spans):
        if text[s:e] != val:
            return "offset mismatch"
        if i and spans[i - 1][1] > s:
            return "overlap"
    for val in {sp[4] for sp in spans}:
        for m in token_pattern(val).finditer(text):
            if not any(s <= m.start() and m.end() <= e for s, e, *_ in spans):
                return f"unlabelled occurrence of {val!r}"
    for m in LINT_RE.finditer(text):
        end = m.end()
        while text[m.start():end].count(")") > text[m.start():end].count("(") and text[end - 1] == ")":
            end -= 1
        if not any(s <= m.start() and end <= e for s, e, cat, *_ in spans if cat == "keep"):
            raise AssertionError(f"unlabelled reference {m.group(0)!r} in: {text[:80]!r}")
    return None


LINT_RE = re.compile(r"\b(?:FINRA |SEC )?(?:Rule|Form|Regulation|Reg) [0-9A-Z](?:[\w\-.()]*[\w)])?|§|"
                     r"\b\d+ (?:U\.S\.|S\. Ct\.|F\.[234]d|F\. Supp\.|A\.[23]d|F\.R\.D\.)")


# ==========================================================================
# LEGAL TEMPLATES
# ==========================================================================
def prof(c, n):
    return c.K("RULE", c.pick([f"Model Rule {n}", f"ABA Model Rule {n}", f"Model Rules of Prof'l Conduct R. {n}",
                               f"Rule {n} of the Model Rules of Professional Conduct"]))


def L01_chat_summary_judgment(c):
    u, opp = c.person(), c.person()
    fc = c.fed()
    return (
        f"{c.pick(['Hi', 'Hello', 'Thanks for the question,'])} {c.F(u)} — this is general legal information, not legal advice.\n\n"
        f"A motion for summary judgment asks the court to resolve a claim without a trial. In federal court the standard is in "
        f"{c.K('RULE', 'Fed. R. Civ. P. 56(a)')}: the movant must show there is no genuine dispute as to any material fact. "
        f"The Supreme Court's {c.year(y=1986)} trilogy still frames the analysis: {c.cite('Celotex')}; {c.cite('Anderson')}; "
        f"and {c.cite('Matsushita')}.\n\n"
        f"Under {c.short('Celotex')}, the moving party may simply point to the absence of evidence supporting the other side's case. "
        f"{c.idc()}. The judge must view the record in the light most favorable to the non-moving party. See {c.cite('Tolan', pin=False)}.\n\n"
        f"You said that counsel for {c.N(opp)} filed the motion on {c.date('recent')} in the {c.K('COURT', fc[0])} "
        f"(your case is No. {c.docket()}). Response deadlines there come from the local rules and the scheduling order, so confirm the date on the docket.\n\n"
        f"If you need more time to gather evidence, ask a lawyer about a declaration under {c.K('RULE', 'Rule 56(d)')}."
    )


def L02_chat_deposit(c):
    st = c.pick(list(DEPOSIT_LAW))
    stat, days = DEPOSIT_LAW[st]
    u, ll = c.person(state=st), c.person(state=st)
    return (
        f"**You asked:** \"My landlord {c.N(ll)} still hasn't returned my security deposit. I moved out of "
        f"{c.STREET(u)} in {c.CITY(u)} on {c.date('recent')}. What can I do?\"\n\n"
        f"**General information (not legal advice)**\n\n"
        f"- In {c.ST(u, full=True)}, deposit returns are governed by {c.K('STATUTE', stat)}. Landlords generally have about {days} "
        f"after move-out to return the deposit or send an itemized list of deductions.\n"
        f"- Keep your move-out photos, the lease, and any texts or emails with {c.T(ll)}.\n"
        f"- A short demand letter sent to the landlord often resolves this. If it doesn't, small claims court is usually the fastest route.\n"
        f"- Some statutes allow a penalty of up to two or three times the deposit for bad-faith withholding.\n\n"
        f"Want me to draft a demand letter? I'd need the landlord's mailing address and the amount of your deposit."
    )


def L03_chat_employment(c):
    u, boss = c.person(), c.person()
    return (
        f"Thanks for sharing that, {c.F(u)}. I can give you general information about how these claims work, but please talk to an employment lawyer about your specific facts.\n\n"
        f"1. Which law applies. Federal claims for discrimination based on race, color, religion, sex, or national origin arise under "
        f"{c.K('LEGAL_TERM', 'Title VII')} ({c.K('STATUTE', '42 U.S.C. § 2000e-2(a)')}). In {c.cite('Bostock', pin=False)}, the Supreme Court held that firing someone "
        f"for being gay or transgender is discrimination because of sex.\n"
        f"2. Deadlines. Before suing under {c.K('LEGAL_TERM', 'Title VII')} you generally must file a charge with the EEOC within 180 days, or 300 days in states with their own "
        f"fair-employment agency. {c.K('STATUTE', '42 U.S.C. § 2000e-5(e)(1)')}. You told me you were let go on {c.date('recent')}, so count from that date.\n"
        f"3. How courts analyze it. Without direct evidence, courts use the burden-shifting framework of {c.cite('McDonnell Douglas')}. "
        f"Courts also look at {c.cite(topic='emp', pin=False)}. Retaliation claims follow {c.cite('BurlingtonWhite', pin=False)}, which asks whether the action might dissuade a reasonable worker from complaining.\n"
        f"4. Evidence. Write down what {c.N(boss)} said in the meeting, who else was there, and save any messages from {c.T(boss)} to a personal device if your employer's policies allow it.\n\n"
        f"Would you like a checklist for the EEOC intake interview?"
    )


def L04_chat_criminal(c):
    u = c.person()
    kid = c.person(last=u.last, gender="M")
    st = kid.st
    case_no = c.pick([f"CR-20{c.r.randint(24, 25)}-{c.digits(6)}", f"{c.r.randint(24, 25)}CR{c.digits(6)}",
                      f"{c.r.randint(24, 25)}-CF-{c.digits(5)}"])
    return (
        f"I'm sorry you're going through this, {c.F(u)}. Here is general information only — for advice about {c.F(kid)}'s case, contact a criminal defense lawyer or the public defender's office as soon as possible.\n\n"
        f"**Questioning.** Police must give {c.K('LEGAL_TERM', 'Miranda warnings')} before custodial interrogation. {c.cite('Miranda')}. "
        f"If {c.F(kid)} was questioned at the station in {c.CITY(kid)} on {c.date('recent')} without those warnings, his lawyer may move to suppress what he said. See {c.idc(lower=True)}.\n\n"
        f"**Right to counsel.** The {c.K('LEGAL_TERM', 'Sixth Amendment')} guarantees appointed counsel if he cannot afford a lawyer. {c.cite('Gideon', pin=False)}.\n\n"
        f"**His phone.** Officers generally need a warrant to search the contents of a phone seized incident to arrest. {c.cite('Riley')}; see also {c.cite(topic='crim', pin=False)}.\n\n"
        f"**Evidence.** Prosecutors must disclose evidence favorable to the defense, often called {c.K('LEGAL_TERM', 'Brady material')}. {c.cite('Brady', pin=False)}.\n\n"
        f"Bring the paperwork showing case number {c.P('ID', case_no)} to the first meeting with the lawyer. Court procedures in {c.K('STATE', STATE_NAMES[st])} vary by county, so ask the clerk about the arraignment date."
    )


def L05_chat_defamation(c):
    st = c.pick(list(ANTI_SLAPP))
    u, x = c.person(state=st), c.person(state=st)
    return (
        f"Q (summarized): {c.N(u)} asks whether a former business partner, {c.N(x)}, can be sued over posts made on a neighborhood forum on "
        f"{c.date('recent')} calling {c.F(u)} a thief.\n\n"
        f"A (general information):\n"
        f"• A defamation claim needs a false statement of fact, published to others, that harms reputation. Pure opinion is protected only if it can't be proved true or false — see {c.cite('Milkovich')}.\n"
        f"• Because you are a private figure, most states require only negligence. {c.cite('Gertz')}. The actual-malice standard of {c.cite('NYTSullivan', pin=False)} applies to public officials. {c.short('NYTSullivan')}.\n"
        f"• {c.K('STATE', STATE_NAMES[st])} has an anti-SLAPP statute, {c.K('STATUTE', ANTI_SLAPP[st])}, which lets a defendant seek early dismissal and sometimes fees. {c.T(x)} could invoke it if the posts concern a public issue.\n"
        f"• Limitations periods for defamation are short — often one year from publication — so screenshot the posts now, with dates and URLs.\n\n"
        f"This isn't legal advice; a local attorney can evaluate whether the statements are actionable."
    )


def L06_chat_arbitration(c):
    u, rep = c.person(), c.person()
    return (
        f"Hi {c.F(u)},\n\nShort version: your brokerage customer agreement almost certainly contains a predispute arbitration clause, and courts enforce those clauses.\n\n"
        f"- The {c.K('LEGAL_TERM', 'Federal Arbitration Act')} makes arbitration agreements \"valid, irrevocable, and enforceable.\" {c.K('STATUTE', '9 U.S.C. § 2')}.\n"
        f"- Claims under the {c.K('LEGAL_TERM', 'Securities Exchange Act of 1934')} are arbitrable. {c.cite('McMahon')}. The same goes for {c.year(y=1933)} Act claims. {c.cite('RodriguezQ', pin=False)}.\n"
        f"- Class-action waivers in arbitration agreements are generally enforceable. {c.cite('Concepcion')}.\n"
        f"- A FINRA claim must be filed within six years of the event. {c.K('RULE', 'FINRA Rule 12206')}.\n"
        f"- Courts can vacate an award only on narrow grounds. {c.K('STATUTE', '9 U.S.C. § 10')}; {c.cite('HallStreet')}.\n\n"
        f"You mentioned your former broker, {c.N(rep)}, recommended the leveraged ETF trades in account {c.acct()} starting {c.date('event')}. "
        f"Gather your monthly statements and any emails with {c.T(rep)} before you speak with a securities arbitration lawyer."
    )


def L07_intake_pi(c):
    st = c.pick(list(SOL))
    stat, yrs = SOL[st]
    cl, dr, para = c.person(state=st), c.person(state=st), c.person()
    inc = c.rdate("recent")
    h = c.h
    lines = [
        f"{h('Intake Summary')} — {h('Personal Injury')}",
        f"{h('Prepared by')}: {c.N(para)} on {c.date('recent', fmt='us')}",
        "",
        f"{h('Client')}: {c.N(cl)}   {h('DOB')}: {c.DOB(cl)}",
        f"{h('Client No.')}: {c.client_no()}   {h('Matter')}: {c.matter_no()}",
        f"{h('Phone')}: {c.PH(cl)}   {h('Email')}: {c.EM(cl)}",
        f"{h('Address')}: {c.ADDR(cl)}",
        f"{h('DL')}: {c.dl(st)} ({c.K('STATE', cl.st)})   {h('SSN')}: {c.SSN(cl)} (needed for lien and records requests)",
        "",
        f"{h('Incident')}: {c.P('DATE', c.fdate(inc, 'long'))} — rear-end collision on the on-ramp near {c.CITY(dr)}. Client was stopped; other driver ({c.N(dr)}) was looking at a phone per client.",
        f"{h('Injuries')}: cervical strain, L4-L5 disc protrusion on MRI; PT twice weekly.",
        f"{h('Other driver contact')}: {c.PH(dr)}; insurer claim # {c.P('ID', c.letters(2) + c.digits(9))}",
        f"{h('Limitations')}: {c.K('STATUTE', stat)} ({yrs}) — calendar the deadline from {c.P('DATE', c.fdate(inc, 'us'))}.",
        f"{h('Notes')}: client previously treated with a chiropractor in {c.year(2016, 2021)}; get those records. "
        f"Research proximate-cause issue ({c.cite(topic='tort', pin=False)}) if defense argues the second impact caused the disc injury.",
    ]
    return "\n".join(lines)


def L08_intake_family(c):
    st = c.pick(STATE_LIST)
    cl, sp = c.person(state=st), c.person(state=st)
    cl.dob = datetime.date(c.r.randint(1976, 1990), c.r.randint(1, 12), c.r.randint(1, 28))
    k1 = c.person(last=cl.last)
    k2 = c.person(last=cl.last)
    return "\n".join([
        "== NEW CLIENT INTAKE: FAMILY LAW ==",
        f"* Client: {c.N(cl)} (DOB {c.DOB(cl)}), cell {c.PH(cl)}, {c.EM(cl)}",
        f"* SSN (for support worksheet): {c.SSN(cl)}; joint checking acct {c.acct('bank')} — spouse withdrew most of the balance on {c.date('recent', fmt='us')}",
        f"* Opposing party (spouse): {c.N(sp)}; now living at {c.ADDR(sp)}",
        f"* Married {c.date('old', fmt='long')} in {c.CITY(cl)}; separated {c.date('recent')}",
        f"* Children: {c.F(k1)} (born {c.date(fmt='us', d=datetime.date(c.r.randint(2010, 2016), c.r.randint(1, 12), c.r.randint(1, 28)))}) and "
        f"{c.F(k2)} (born {c.date(fmt='us', d=datetime.date(c.r.randint(2017, 2021), c.r.randint(1, 12), c.r.randint(1, 28)))})",
        f"* Marital home: {c.STREET(cl)} — titled jointly, refinanced in {c.year(2019, 2022)}",
        f"* Issues: legal/physical custody, parenting time, child support, sale vs. buyout of the home",
        f"* Research flags: parents' fundamental rights ({c.cite('Troxel')}); custody cannot turn on racial bias ({c.cite('Palmore', pin=False)}); see also {c.cite(topic='family')}",
        f"* {c.K('STATE', STATE_NAMES[st])} venue: file where the children have lived for the past six months",
        f"* Client no. {c.client_no()} / matter {c.matter_no()}; conflict check run against {c.F(sp)}'s name — clear",
    ])


def L09_intake_email_employment(c):
    firm, dom = c.firm()
    para, atty = c.person(firm=dom), c.person(firm=dom)
    cl, mgr = c.person(gender="F"), c.person()
    co = c.co()
    return (
        f"From: {c.N(para)} <{c.EM(para)}>\n"
        f"To: {c.N(atty)} <{c.EM(atty)}>\n"
        f"Date: {c.date('recent', fmt='abbr')}\n"
        f"Subject: intake – {c.L(cl)} v. {co} (wage & hour + retaliation)\n\n"
        f"{c.F(atty)},\n\n"
        f"Spoke with {c.N(cl)} this morning (cell {c.PH(cl)}). She worked as a shift supervisor at {co} from {c.year(2017, 2021)} until she was terminated on "
        f"{c.date('recent')}. She says she routinely worked 50+ hours a week with no overtime. Likely claims under the {c.K('LEGAL_TERM', 'Fair Labor Standards Act')} "
        f"({c.K('STATUTE', '29 U.S.C. § 207')}), and because she worked in {c.CITY(cl)}, {c.ST(cl)}, probably state wage law as well.\n\n"
        f"She complained to HR on {c.date('recent')} about her manager, {c.N(mgr)}, and was written up two weeks later. Retaliation standard is "
        f"{c.cite('BurlingtonWhite')}.\n\n"
        f"She has pay stubs and texts with {c.F(mgr)}. She'll send them from {c.EM(cl)}. Home address for the engagement letter: {c.ADDR(cl)}.\n\n"
        f"Opened client no. {c.client_no()}; matter no. {c.matter_no()}.\n\nThanks,\n{c.F(para)}"
    )


def L10_engagement_letter(c):
    firm, dom = c.firm()
    cl, atty, adv = c.person(), c.person(firm=dom), c.person()
    desc = c.pick(["the dispute with your former business partner over the sale of your membership interest",
                   "the contested administration of your late father's estate",
                   "the claims asserted against you by a former tenant",
                   "your potential claims arising from the construction defects at your residence"])
    return "\n".join([
        firm,
        c.date("recent", fmt="long"),
        "",
        c.pick(["PRIVILEGED & CONFIDENTIAL", "CONFIDENTIAL ATTORNEY-CLIENT COMMUNICATION"]),
        "",
        c.N(cl),
        c.STREET(cl),
        f"{c.CITY(cl)}, {c.ST(cl, full=False)} {c.ZIP(cl)}",
        "",
        f"Re: Engagement Letter — Matter No. {c.matter_no()}",
        "",
        f"Dear {c.T(cl)}:",
        "",
        f"Thank you for selecting {firm} to represent you in connection with {desc}. This letter sets out the scope of our engagement and the basis of our fees, "
        f"as {prof(c, '1.5(b)')} requires.",
        "",
        f"Scope. Our representation is limited to the matter described above; we have not agreed to advise on tax consequences. A limited-scope arrangement like this one is "
        f"permitted if reasonable and the client gives informed consent. {prof(c, '1.2(c)')}.",
        "",
        f"Conflicts. We searched our records for the parties you identified, including {c.N(adv)}, and found no conflict under {prof(c, '1.7')}.",
        "",
        f"Confidentiality. Information relating to the representation is protected by {prof(c, '1.6')} and, where applicable, the attorney-client privilege.",
        "",
        f"Fees. My hourly rate is $685; associates bill between $395 and $520. We request an advance retainer of $15,000, which will be deposited in our client trust account.",
        "",
        f"Please sign and return a copy to me at {c.EM(atty)}. If you have questions, call me directly at {c.PH(atty)}.",
        "",
        "Very truly yours,",
        "",
        c.N(atty),
    ])


def L11_engagement_email(c):
    firm, dom = c.firm()
    atty, cl = c.person(firm=dom), c.person()
    st = cl.st
    return (
        f"From: {c.EM(atty)}\nTo: {c.EM(cl)}\nCc: intake@{dom}\nSent: {c.date('recent', fmt='us')} 4:12 PM\n"
        f"Subject: RE: limited-scope help with your small claims case\n\n"
        f"Hi {c.F(cl)},\n\n"
        f"Following up on our call. As discussed, we'll provide limited-scope assistance only: reviewing your draft statement of claim against {c.pick(FICT_COS)} "
        f"and preparing you for the hearing on {c.date('future', fmt='md')}. We won't appear in court with you. That kind of arrangement is allowed under "
        f"{prof(c, '1.2(c)')} as long as you agree in writing.\n\n"
        f"Flat fee: $950. I've attached the engagement agreement; please confirm your mailing address ({c.ADDR(cl)}) is correct before you sign.\n\n"
        f"One note on {c.K('STATE', STATE_NAMES[st])} procedure: bring three copies of everything.\n\n"
        f"Best,\n{c.N(atty)}\n{firm}\nDirect: {c.PH(atty)}"
    )


def L12_depo_summary_table(c):
    w, other, sumr = c.person(), c.person(), c.person()
    fc = c.fed()
    co = c.co()
    pl = c.person()
    rows = [
        f"6:3–7:14    Witness resides at {c.STREET(w)}, {c.CITY(w)}; employed by {co} since {c.year(2012, 2019)} as regional operations manager.",
        f"12:1–15:22  Describes the {c.date('event', fmt='md')} meeting with {c.N(other)} where the revised commission plan was presented. Recalls no written agenda.",
        f"18:5–19:9   Admits forwarding the plan to personal email ({c.EM(w)}) the same evening. Could not recall why.",
        f"27:11–30:2  Asked about {c.L(pl)}'s termination; says the decision was made by {c.F(other)} and HR, not the witness.",
        f"41:7–41:20  Instructed not to answer questions about conversations with in-house counsel ({c.K('RULE', 'Fed. R. Civ. P. 30(c)(2)')}; privilege).",
        f"55:3–58:16  Identifies Ex. 14 (text messages) and confirms the number ending in {c.P('PHONE', c.digits(4))} is the witness's personal cell.",
    ]
    return "\n".join([
        "DEPOSITION SUMMARY",
        f"Witness: {c.N(w)}   |   Taken: {c.date('recent', fmt='abbr')}   |   Summarized by: {c.I(sumr)}",
        f"Case: {c.N(pl)} v. {co}, No. {c.docket()} ({c.K('COURT', fc[1])})",
        "",
        "Page:Line   Testimony",
    ] + rows + [
        "",
        f"Follow-up: consider a motion to compel under {c.K('RULE', 'Fed. R. Civ. P. 37(a)')} on the instruction at 41:7; research {c.cite(topic='priv', pin=False)}.",
    ])


def L13_depo_summary_30b6(c):
    w, pl, atty = c.person(), c.person(), c.person()
    co = c.co()
    topics = c.r.sample(["document retention policies", "the customer complaint database", "commission calculations",
                         "the decision to close the warehouse", "text-message retention on company phones"], 3)
    return (
        f"Summary — {c.K('RULE', 'Rule 30(b)(6)')} deposition of {co}\n"
        f"Designee: {c.N(w)} (VP, Compliance). Date: {c.date('recent')}. Defending: {c.N(atty)}.\n\n"
        f"{c.L(w)} was designated on {len(topics)} topics: {', '.join(topics)}. Preparation was thin — the designee met with counsel for about an hour and reviewed no documents "
        f"on the second topic. Under {c.K('RULE', 'Fed. R. Civ. P. 30(b)(6)')}, the organization must prepare its designee to testify about information known or reasonably available to it.\n\n"
        f"Key admissions: (1) phones issued to field staff were wiped on return, including the phone used by {c.N(pl)}'s supervisor; (2) no litigation hold went out until "
        f"{c.date('recent')}, several months after the demand letter. Both points support a spoliation argument under {c.K('RULE', 'Fed. R. Civ. P. 37(e)')}. "
        f"See {c.cite('ZubulakeV')}; {c.cite(topic='edisc')}.\n\n"
        f"Recommend a follow-up letter to {c.T(atty)} requesting a better-prepared designee."
    )


def L14_caption_mtd(c):
    fc = c.fed()
    pl, dfd = c.person(), c.person()
    co = c.co()
    upper = c.chance(0.5)
    pname = c.P("NAME", pl.full.upper()) if upper else c.N(pl)
    dname = c.P("NAME", dfd.full.upper()) if upper else c.N(dfd)
    return "\n".join([
        c.K("COURT", "UNITED STATES DISTRICT COURT"),
        c.K("COURT", fc[2]),
        "------------------------------------------------------x",
        f"{pname},",
        "                         Plaintiff,",
        f"          - against -                   Case No. {c.docket()}",
        f"{co.upper()} and {dname},",
        "                         Defendants.",
        "------------------------------------------------------x",
        "",
        "MEMORANDUM OF LAW IN SUPPORT OF DEFENDANTS' MOTION TO DISMISS",
        "",
        "PRELIMINARY STATEMENT",
        "",
        f"Plaintiff {c.N(pl)} alleges that {c.N(dfd)} promised Plaintiff a guaranteed bonus during a phone call on {c.date('event')}. The Complaint should be dismissed under "
        f"{c.K('RULE', 'Fed. R. Civ. P. 12(b)(6)')}. A pleading must contain \"enough facts to state a claim to relief that is plausible on its face.\" "
        f"{c.cite('Twombly', pin=True)}. Threadbare recitals of the elements, supported by conclusory statements, do not suffice. {c.cite('Iqbal', pin=True)}. "
        f"{c.short('Twombly')}. And because any promise of future compensation had to be in writing, the {c.K('LEGAL_TERM', 'Statute of Frauds')} independently bars the contract claim.",
    ])


TOPIC_ARG = {
    "sec": ("THE COMPLAINT FAILS TO PLEAD A STRONG INFERENCE OF SCIENTER", "15 U.S.C. § 78u-4(b)(2)(A)", "Fed. R. Civ. P. 9(b)",
            "Private Securities Litigation Reform Act"),
    "pj": ("THE COURT LACKS PERSONAL JURISDICTION OVER THE INDIVIDUAL DEFENDANT", "28 U.S.C. § 1332(a)", "Fed. R. Civ. P. 12(b)(2)",
           "Due Process Clause"),
    "class": ("THE PROPOSED CLASS CANNOT BE CERTIFIED", "28 U.S.C. § 1332(d)", "Fed. R. Civ. P. 23(b)(3)", "Class Action Fairness Act"),
    "juris": ("THIS ACTION WAS PROPERLY REMOVED", "28 U.S.C. § 1441(a)", "Fed. R. Civ. P. 81(c)", "Erie doctrine"),
    "emp": ("PLAINTIFF CANNOT SHOW THAT THE STATED REASON WAS PRETEXT", "42 U.S.C. § 2000e-3(a)", "Fed. R. Civ. P. 56(a)", "Title VII"),
    "civrights": ("THE OFFICERS ARE ENTITLED TO QUALIFIED IMMUNITY", "42 U.S.C. § 1983", "Fed. R. Civ. P. 12(c)", "Fourth Amendment"),
    "corp": ("DEMAND IS NOT EXCUSED AS FUTILE", "8 Del. C. § 141(a)", "Ct. Ch. R. 23.1", "Business Judgment Rule"),
    "tort": ("PLAINTIFF CANNOT ESTABLISH PROXIMATE CAUSE", "Cal. Civ. Code § 1714(a)", "Fed. R. Evid. 702", "Restatement (Second) of Torts"),
    "ip": ("THE ASSERTED CLAIMS ARE DIRECTED TO AN ABSTRACT IDEA", "35 U.S.C. § 101", "Fed. R. Civ. P. 12(b)(6)", "Patent Act"),
    "arb": ("PLAINTIFF MUST ARBITRATE HIS CLAIMS", "9 U.S.C. § 4", "Fed. R. Civ. P. 12(b)(1)", "Federal Arbitration Act"),
}


def L15_argument(c):
    topic = c.pick(list(TOPIC_ARG))
    head, stat, rule, term = TOPIC_ARG[topic]
    pl = c.person()
    roman = c.pick(["I.", "II.", "III.", "A.", "B."])
    s = (
        f"ARGUMENT\n\n{roman} {head}\n\n"
        f"The governing framework is settled. See {c.K('STATUTE', stat)}; {c.K('RULE', rule)}. Courts applying the {c.K('LEGAL_TERM', term)} have repeatedly rejected theories like "
        f"the one {c.pick(['Plaintiff', 'Mr.', 'Ms.'])} {c.L(pl)} advances here. {c.cite(topic=topic)}; {c.cite(topic=topic)}.\n\n"
        f"In {c.cite(topic=topic, pin=True)}, the court confronted nearly identical allegations. {c.idc()}. "
        f"The same result follows here: {c.L(pl)}'s own declaration, dated {c.date('recent')}, concedes the key fact. "
        f"See also {c.cite()} (collecting cases).\n\n"
        f"Nor does {c.short()} help {c.L(pl)}. {c.idc()}. That decision turned on facts absent from this record."
    )
    return s


def L16_state_filing(c):
    if c.chance(0.5):
        pl, dfd = c.person(state="CA"), c.person(state="CA")
        court = c.pick([x for x in STATE_COURTS if x[1] == "California"])
        atty = c.person(state="CA")
        return "\n".join([
            c.N(atty),
            c.pick(LAW_FIRMS)[0],
            f"Attorneys for Defendant {c.N(dfd)}",
            "",
            c.K("COURT", "SUPERIOR COURT OF THE STATE OF CALIFORNIA"),
            c.K("COURT", "FOR THE COUNTY OF " + court[0].split("County of ")[1].upper()),
            "",
            f"{c.N(pl)}, Plaintiff,  v.  {c.N(dfd)}, Defendant.          Case No. {c.docket(fed=False, style=court[2])}",
            "",
            f"NOTICE OF MOTION AND SPECIAL MOTION TO STRIKE ({c.K('STATUTE', 'Code Civ. Proc., § 425.16')})",
            f"Hearing: {c.date('future', fmt='long')}, 8:30 a.m.",
            "",
            "MEMORANDUM OF POINTS AND AUTHORITIES",
            f"Plaintiff's defamation claim arises from {c.L(dfd)}'s online review of Plaintiff's contracting business — speech in a public forum on an issue of public interest. "
            f"{c.K('STATUTE', 'Cal. Civ. Proc. Code § 425.16(e)(3)')}. The statute is construed broadly. {c.cite('Equilon')}. Once the defendant shows protected activity, the burden shifts "
            f"to the plaintiff to demonstrate a probability of prevailing. {c.cite('Baral')}; {c.cite('Navellier', pin=False)}. {c.L(pl)} cannot carry that burden.",
        ])
    pl, dfd = c.person(state="NY"), c.person(state="NY")
    court = c.pick([x for x in STATE_COURTS if x[1] == "New York"])
    return "\n".join([
        c.K("COURT", court[0].upper()),
        "",
        f"{c.N(pl)},\n                    Plaintiff,\n        -against-                              Index No. {c.docket(fed=False, style='nyindex')}",
        f"{c.N(dfd)},\n                    Defendant.",
        "",
        "AFFIRMATION AND MEMORANDUM IN SUPPORT OF MOTION TO DISMISS",
        "",
        f"Defendant {c.N(dfd)} moves under {c.K('STATUTE', 'CPLR 3211(a)(1)')} and {c.K('STATUTE', 'CPLR 3211(a)(7)')}. On such a motion the court accepts the facts alleged as true "
        f"and determines only whether they fit any cognizable legal theory. {c.cite('Leon')}. Dismissal under subsection (a)(1) is warranted where documentary evidence "
        f"utterly refutes the allegations. {c.cite('Goshen')}. The lease {c.L(pl)} signed on {c.date('event', fmt='long')} does exactly that.",
    ])


def L17_declaration(c):
    d, other = c.person(), c.person()
    co = c.co()
    return "\n".join([
        f"DECLARATION OF {c.P('NAME', d.full.upper())}",
        "",
        f"I, {c.N(d)}, declare as follows:",
        "",
        f"1. I am over eighteen years of age and reside at {c.ADDR(d)}. I have personal knowledge of the facts stated in this declaration.",
        f"2. From {c.year(2014, 2018)} to {c.year(2019, 2023)}, I was employed by {co} as an accounts-payable specialist.",
        f"3. On {c.date('event', fmt='long')}, I received an email from {c.N(other)} ({c.EM(other)}) instructing me to backdate three invoices.",
        f"4. I refused and reported the request to my supervisor by phone the next day. My personal cell number at the time was {c.PH(d)}; a true and correct copy of my call log is attached as Exhibit A.",
        f"5. {c.T(other)} did not speak to me again before my position was eliminated on {c.date('event')}.",
        "",
        f"I declare under penalty of perjury under the laws of the United States of America that the foregoing is true and correct. {c.K('STATUTE', '28 U.S.C. § 1746')}.",
        "",
        f"Executed on {c.date('recent', fmt='long')}, at {c.CITY(d)}, {c.ST(d, full=True)}.",
        "",
        f"/s/ {c.N(d)}",
    ])


def L18_ediscovery_search(c):
    a, b, subj = c.person(), c.person(), c.person()
    co_dom = c.pick(["delmarlogistics.com", "vireohealth.com", "tessellate.io", "polarisfreight.com", "sunvalefoods.com"])
    a.email = f"{ascii_fold(a.first).lower()}.{ascii_fold(a.last).lower()}@{co_dom}"
    b.email = f"{ascii_fold(b.first)[0].lower()}{ascii_fold(b.last).lower()}@{co_dom}"
    args = {
        "matter_id": c.matter_no(),
        "custodians": [c.EM(a), c.EM(b)],
        "query": f"(\"{c.L(subj)}\" OR \"{c.F(subj)}\") AND (bonus OR severance OR \"performance plan\")",
        "date_range": {"from": c.date("event", fmt="iso"), "to": c.date("recent", fmt="iso")},
        "sources": ["Exchange", "Teams", "OneDrive"],
        "dedupe": "global",
        "include_attachments": True,
    }
    call = c.json({"tool": "ediscovery.search", "arguments": args}, indent=c.pick([None, 2]))
    return (
        f"Running first-pass search for the custodians agreed at the {c.K('RULE', 'Rule 26(f)')} conference. Proportionality limits under "
        f"{c.K('RULE', 'Fed. R. Civ. P. 26(b)(1)')} apply; we'll propose TAR for the second pass (courts have approved it, see {c.cite('DaSilvaMoore', pin=False)}; "
        f"{c.cite('RioTinto', pin=False)}).\n\n<tool_call>\n{call}\n</tool_call>"
    )


def L19_legal_hold(c):
    firm, dom = c.firm()
    r1, r2, cl = c.person(), c.person(), c.person()
    d0 = c.rdate("event")
    args = {
        "matter": c.matter_no(),
        "client": c.N(cl),
        "recipients": [
            {"name": c.N(r1), "email": c.EM(r1), "role": "former assistant"},
            {"name": c.N(r2), "email": c.EM(r2), "role": "bookkeeper", "phone": c.PH(r2)},
        ],
        "preserve_from": c.P("DATE", c.fdate(d0, "iso")),
        "data_types": ["email", "text messages", "voicemail", "cloud storage"],
        "legal_basis": c.K("RULE", "Fed. R. Civ. P. 37(e)"),
        "reminder_interval_days": 90,
    }
    call = c.json({"name": "legal_hold.issue", "parameters": args}, indent=2)
    return (
        f"Duty to preserve attached no later than {c.P('DATE', c.fdate(d0, 'long'))}, when {c.N(cl)} first threatened suit. "
        f"{c.cite('ZubulakeI', pin=False)}; see also {c.cite('PensionComm')}. Issuing holds to the two non-party custodians now.\n\n"
        f"{call}"
    )


def L20_privlog(c):
    au, rc, cl = c.person(), c.person(), c.person()
    firm, dom = c.firm()
    att = c.person(firm=dom)
    entries = []
    descs = c.r.sample(["Email requesting legal advice regarding separation agreement",
                        "Draft declaration prepared at direction of counsel",
                        "Email providing legal advice re: demand letter",
                        "Memorandum analyzing settlement options",
                        "Notes of call with counsel re: document retention"], 3)
    for i in range(c.r.randint(2, 3)):
        entries.append({
            "doc_id": f"PRIV-{c.digits(6)}",
            "date": c.date("event", fmt="iso"),
            "author": c.EM(att) if i == 0 else c.EM(au),
            "recipients": [c.EM(cl)] if i == 0 else [c.EM(rc), c.EM(att)],
            "privilege": c.pick(["Attorney-Client", "Work Product", "Attorney-Client; Work Product"]),
            "description": descs[i],
        })
    call = c.json({"tool": "privlog.append", "arguments": {"matter_id": c.matter_no(), "entries": entries}},
                  indent=c.pick([None, 2]))
    return (
        f"Privilege log update (prepared for {c.N(cl)}'s production). The work-product entries rely on {c.cite('Hickman', pin=False)} and "
        f"{c.K('RULE', 'Fed. R. Civ. P. 26(b)(3)')}; inadvertent-production protection under {c.K('RULE', 'Fed. R. Evid. 502(b)')}.\n"
        f"{call}\n"
        f"tool_result: {{\"status\": \"ok\", \"appended\": {len(entries)}}}"
    )


def L21_conflict_note(c):
    req, pc, sp, adv = c.person(), c.person(), c.person(), c.person()
    co = c.co()
    return "\n".join([
        f"{c.h('Conflicts Memo')} — {c.date('recent', fmt='us')}",
        f"{c.h('Requesting attorney')}: {c.N(req)}",
        f"{c.h('Prospective client')}: {c.N(pc)} ({c.CITY(pc)}, {c.ST(pc)})",
        f"{c.h('Related party')}: {c.N(sp)} (spouse)",
        f"{c.h('Adverse parties')}: {co}; {c.N(adv)} (individual guarantor)",
        "",
        f"Search results: one hit. The firm represented {c.N(adv)} in a {c.year(2016, 2021)} residential closing (matter {c.matter_no()}, closed). "
        f"That matter is unrelated to the guaranty dispute, so {prof(c, '1.9(a)')} should not bar the new engagement, but we may not use confidential information "
        f"learned in the earlier matter. {prof(c, '1.9(c)')}.",
        "",
        f"No current-client conflict under {prof(c, '1.7(a)')}. Recommend sending {c.T(pc)} a disclosure letter anyway and noting the prior representation in the file.",
        f"Prospective-client duties apply even if we decline: {prof(c, '1.18')}.",
    ])


def L22_conflict_tool(c):
    pc, adv1, adv2 = c.person(), c.person(), c.person()
    co = c.co()
    req = {"tool": "conflicts.search",
           "arguments": {"parties": [{"name": c.N(pc), "role": "prospective client", "dob": c.DOB(pc, fmt="iso")},
                                     {"name": c.N(adv1), "role": "adverse"},
                                     {"name": co, "role": "adverse"},
                                     {"name": c.N(adv2), "role": "witness"}],
                         "fuzzy": True, "include_closed": True}}
    resp = {"hits": [{"name": c.N(adv1), "matter": c.matter_no(), "status": "closed", "opened": c.year(2015, 2022)}],
            "elapsed_ms": c.r.randint(80, 900)}
    return (
        f"assistant: Checking conflicts before the consult with {c.N(pc)}.\n"
        f"{c.json(req)}\n"
        f"tool: {c.json(resp)}\n"
        f"assistant: One former-client hit for {c.N(adv1)}. Under {prof(c, '1.9')}, a substantial-relationship analysis is needed before we proceed; flagging for the general counsel. The underlying dispute involves {c.cite()}, so check issue conflicts too."
    )


def L23_billing(c):
    tk1, tk2 = c.person(), c.person()
    cl, w = c.person(), c.person()
    entries = []
    base = c.rdate("recent")
    narrs = [
        lambda: f"Review and annotate deposition transcript of {c.N(w)}; draft summary for trial team.",
        lambda: f"Telephone conference with client {c.T(cl)} re settlement authority and mediation statement.",
        lambda: f"Legal research re spoliation sanctions under {c.K('RULE', 'Fed. R. Civ. P. 37(e)')}; analyze {c.cite(topic='edisc', pin=False)}.",
        lambda: f"Draft opposition to motion to compel; revise argument on proportionality under {c.K('RULE', 'Fed. R. Civ. P. 26(b)(1)')}.",
        lambda: f"Prepare {c.F(w)} for deposition; review exhibits 4-19 with witness.",
        lambda: "Correspondence with opposing counsel re ESI search terms and custodians.",
        lambda: f"Research standard for summary judgment ({c.cite('Celotex', pin=False)}); outline brief.",
        lambda: f"Draft and revise client status letter to {c.N(cl)}.",
    ]
    chosen = c.r.sample(narrs, c.r.randint(4, 6))
    for i, mk in enumerate(chosen):
        d = base + datetime.timedelta(days=i * c.r.randint(1, 3))
        tk = c.pick([tk1, tk2])
        narr = mk()
        hrs = c.pick(["0.3", "0.6", "0.8", "1.2", "1.5", "2.4", "3.1", "0.4"])
        entries.append(f"{c.P('DATE', c.fdate(d, 'us'))}  {c.I(tk)}  {hrs}  {narr}")
    return "\n".join([
        f"PRE-BILL — Matter {c.matter_no()} ({c.L(cl)} / {c.co()})",
        "Date        Timekeeper   Hrs   Narrative",
    ] + entries + ["", "Billing partner note: write down 20% of research time per client guidelines."])


def L24_billing_review(c):
    firm, dom = c.firm()
    bp, assoc, cl = c.person(firm=dom), c.person(firm=dom), c.person()
    return (
        f"To: {c.EM(assoc)}\nFrom: {c.EM(bp)}\nSubject: {c.L(cl)} pre-bill — narratives need work\n\n"
        f"{c.F(assoc)} — a few fixes before this goes to {c.T(cl)}:\n\n"
        f"1) Entry on {c.date('recent', fmt='us2')}: \"research\" (4.2) is block-billed. Break it out — e.g., research on the {c.K('LEGAL_TERM', 'Rooker-Feldman doctrine')} vs. the "
        f"abstention issue.\n"
        f"2) The entry for the call with {c.N(cl)}'s daughter needs a note that the client authorized us to speak with her; otherwise it reads like a {prof(c, '1.6')} problem.\n"
        f"3) Travel to {c.CITY(cl)} should be billed at half rate per the engagement letter.\n"
        f"4) Don't bill for fixing our own cite-check errors (the pin cite in {c.cite()}).\n\n"
        f"Fees must be reasonable under {prof(c, '1.5(a)')}. Client no. {c.client_no()}.\n\nThanks."
    )


def L25_memo_delaware(c):
    firm, dom = c.firm()
    partner, assoc, cl = c.person(firm=dom), c.person(firm=dom), c.person()
    co = c.co()
    return "\n".join([
        "MEMORANDUM",
        f"TO:      {c.N(partner)}",
        f"FROM:    {c.N(assoc)}",
        f"DATE:    {c.date('recent', fmt='long')}",
        f"RE:      {c.N(cl)} — books-and-records demand to {co}; Client-Matter {c.matter_no()}",
        "",
        "QUESTION PRESENTED",
        f"Whether our client, a {c.K('STATE', 'Delaware')} stockholder holding roughly 2% of {co}, can obtain board materials relating to the failed safety audit, and whether an oversight claim is viable.",
        "",
        "SHORT ANSWER",
        f"Probably yes on the demand. A stockholder with a proper purpose may inspect books and records under {c.K('STATUTE', '8 Del. C. § 220')}. Investigating possible mismanagement is a proper purpose.",
        "",
        "DISCUSSION",
        f"Oversight liability requires either a complete failure to implement a reporting system or a conscious failure to monitor it. {c.cite('Caremark')}; "
        f"{c.cite('StoneRitter')}. In {c.cite('Marchand')}, the court sustained a claim where the board had no system for monitoring food safety. {c.idc()}. "
        f"Demand futility will be assessed under the standard that grew out of {c.cite('Aronson', pin=False)} and {c.cite('Zapata', pin=False)}. "
        f"{c.short('Marchand')}. For the standard of review on any transaction claim, compare {c.cite(topic='corp')}.",
        "",
        f"Next steps: {c.T(cl)} should sign the demand under oath (the statute requires it). If the company refuses, we can file a summary proceeding in the {c.K('COURT', 'Court of Chancery')}. "
        f"Client contact: {c.PH(cl)} / {c.EM(cl)}.",
    ])


def L26_subpoena_cover(c):
    firm, dom = c.firm()
    w, atty = c.person(), c.person(firm=dom)
    fc = c.fed()
    pl, co = c.person(), c.co()
    return "\n".join([
        f"VIA FEDEX AND EMAIL ({c.EM(w)})",
        "",
        c.date("recent", fmt="long"),
        "",
        c.N(w),
        c.STREET(w),
        f"{c.CITY(w)}, {c.ST(w, full=False)} {c.ZIP(w)}",
        "",
        f"Re: {c.N(pl)} v. {co}, No. {c.docket()} ({c.K('COURT', fc[1])})",
        "",
        f"Dear {c.T(w)}:",
        "",
        f"This firm represents the plaintiff in the above case. Enclosed is a subpoena issued under {c.K('RULE', 'Fed. R. Civ. P. 45')} commanding you to appear for a deposition on "
        f"{c.date('future', fmt='long')} at 10:00 a.m. at our offices. You are not a party to the lawsuit; we expect your testimony about your work with {c.F(pl)} "
        f"at {co} to take no more than three hours. We have tendered the witness fee and mileage required by {c.K('RULE', 'Rule 45(b)(1)')}.",
        "",
        f"If the date is inconvenient, please call me at {c.PH(atty)} and we will work with you. Objections must be served within 14 days of service. {c.K('RULE', 'Fed. R. Civ. P. 45(d)(2)(B)')}.",
        "",
        "Sincerely,",
        c.N(atty),
    ])


def L27_demand_letter(c):
    st = c.pick(list(CONSUMER))
    cl, x = c.person(state=st), c.person(state=st)
    firm, dom = c.firm()
    atty = c.person(firm=dom)
    amt = c.pick(["$18,400", "$7,250", "$42,900", "$11,675"])
    return (
        f"{c.date('recent', fmt='long')}\n\nCERTIFIED MAIL — RETURN RECEIPT REQUESTED\n\n{c.N(x)}\n{c.ADDR(x, sep=chr(10))}\n\n"
        f"Re: Demand for payment — our client {c.N(cl)}\n\n"
        f"Dear {c.T(x)}:\n\n"
        f"We represent {c.N(cl)} regarding the kitchen renovation you contracted to perform at {c.STREET(cl)}, {c.CITY(cl)}. You accepted {amt} in deposits "
        f"between {c.date('event', fmt='md')} and {c.date('event', fmt='md')} and abandoned the job. Your conduct constitutes an unfair or deceptive practice under "
        f"{c.K('STATUTE', CONSUMER[st])}, and supports claims for breach of contract and conversion under {c.K('STATE', STATE_NAMES[st])} law.\n\n"
        f"Demand is made for repayment of {amt} within thirty days. If we do not hear from you, we are authorized to file suit without further notice and to seek "
        f"all available damages, fees, and costs.\n\nVery truly yours,\n\n{c.N(atty)}\n{firm}\n{c.EM(atty)}"
    )


def L28_chat_estate(c):
    u = c.person()
    k1, k2 = c.person(last=u.last), c.person(last=u.last)
    gc = c.person(last=u.last)
    st = u.st
    return (
        f"Great questions, {c.F(u)}. General information follows — an estate planning attorney licensed in {c.K('STATE', STATE_NAMES[st])} should review your documents.\n\n"
        f"**Naming beneficiaries.** You said you'd like {c.N(k1)} and {c.N(k2)} to share the house on {c.STREET(u)} equally. A will controls only probate assets; "
        f"accounts with a beneficiary designation or transfer-on-death registration pass outside the will.\n\n"
        f"**Gifts to your grandson.** Because {c.F(gc)} is a minor (born {c.date(fmt='long', d=datetime.date(c.r.randint(2012, 2020), c.r.randint(1, 12), c.r.randint(1, 28)))}), "
        f"many people use a custodial account under the {c.K('LEGAL_TERM', 'Uniform Transfers to Minors Act')}. The annual gift-tax exclusion is in "
        f"{c.K('STATUTE', '26 U.S.C. § 2503(b)')}.\n\n"
        f"**Execution formalities.** Most states require two witnesses. Courts take formalities seriously, but some states have a harmless-error rule.\n\n"
        f"Would you like a list of documents to bring to the attorney (deed, account statements, prior wills)?"
    )


def L29_daubert(c):
    ex, pl = c.person(), c.person()
    fc = c.fed()
    return (
        f"II. DR. {c.P('NAME', ex.last.upper())}'S CAUSATION OPINION SHOULD BE EXCLUDED\n\n"
        f"Under {c.K('RULE', 'Fed. R. Evid. 702')}, as amended in {c.year(y=2023)}, the proponent must show by a preponderance of the evidence that the expert's opinion reflects a reliable "
        f"application of reliable methods. The court acts as gatekeeper. {c.cite('Daubert')}. That obligation extends to all expert testimony, not just scientific testimony. "
        f"{c.cite('Kumho')}. And nothing requires a court \"to admit opinion evidence that is connected to existing data only by the ipse dixit of the expert.\" {c.cite('Joiner', pin=True)}.\n\n"
        f"Dr. {c.N(ex)} never examined {c.N(pl)}, never reviewed the pre-accident imaging from {c.year(2017, 2020)}, and admitted at deposition ({c.date('recent')}) that the differential "
        f"diagnosis did not rule out degenerative disease. {c.short('Daubert')}. Preliminary questions of admissibility are for the court. {c.K('RULE', 'Fed. R. Evid. 104(a)')}. "
        f"Courts in the {c.K('COURT', fc[4])} routinely exclude opinions like this one."
    )


def L30_pj_brief(c):
    fc = c.fed()
    dfd = c.person(state=c.pick([s for s in STATE_LIST if STATE_NAMES[s] != fc[3]]))
    pl = c.person()
    return (
        f"B. The Court Lacks Personal Jurisdiction Over {c.N(dfd)}\n\n"
        f"{c.T(dfd)} lives in {c.CITY(dfd)}, {c.ST(dfd, full=True)}, and has never traveled to {c.K('STATE', fc[3])} for business. Specific jurisdiction requires that the suit "
        f"\"arise out of or relate to\" the defendant's contacts with the forum. {c.cite('FordMT')}. The relationship must arise out of contacts that the defendant himself creates, "
        f"not the plaintiff's. {c.cite('Walden', pin=True)}. The \"minimum contacts\" test dates to {c.cite('IntlShoe', pin=False)}, and a defendant must have purposefully availed itself "
        f"of the forum. {c.cite('BurgerKing')}.\n\n"
        f"{c.N(pl)}'s only allegation is that {c.T(dfd)} emailed {c.F(pl)} while {c.F(pl)} happened to be in the forum on {c.date('event')}. {c.short('Walden')} forecloses that theory. See also {c.cite(topic='pj', pin=False)}. "
        f"General jurisdiction is also absent; an individual is subject to general jurisdiction in her domicile. See {c.cite('Daimler', pin=False)}. Dismissal under "
        f"{c.K('RULE', 'Fed. R. Civ. P. 12(b)(2)')} is required."
    )


def L31_appeal_note(c):
    cl, atty = c.person(), c.person()
    fc = c.fed()
    j = c.rdate("recent")
    due = j + datetime.timedelta(days=30)
    return "\n".join([
        f"{c.h('File Note')} — appeal deadlines",
        f"Client: {c.N(cl)} | Matter {c.matter_no()} | {c.K('COURT', fc[1])} No. {c.docket()}",
        "",
        f"- Judgment entered {c.P('DATE', c.fdate(j, 'long'))}.",
        f"- Notice of appeal due 30 days after entry: {c.P('DATE', c.fdate(due, 'long'))}. {c.K('RULE', 'Fed. R. App. P. 4(a)(1)(A)')}.",
        f"- A timely motion under {c.K('RULE', 'Fed. R. Civ. P. 59(e)')} (28 days) resets the clock. {c.K('RULE', 'Fed. R. App. P. 4(a)(4)(A)(iv)')}.",
        f"- Appeal would go to the {c.K('COURT', fc[4])}. Standard of review for the summary judgment ruling is de novo.",
        f"- {c.N(atty)} spoke with {c.T(cl)} by phone ({c.PH(cl)}); client wants to appeal and understands the bond issue.",
        f"- Supersedeas bond: {c.K('RULE', 'Fed. R. Civ. P. 62(b)')}.",
    ])


def L32_calendar_tool(c):
    w, cl = c.person(), c.person()
    firm, dom = c.firm()
    a1 = c.person(firm=dom)
    co = c.co()
    d = c.rdate("future")
    args = {
        "title": f"Deposition of {c.N(w)} — {c.L(cl)} v. {co}",
        "date": c.P("DATE", c.fdate(d, "iso")),
        "start_time": "09:30",
        "end_time": "16:30",
        "location": f"{c.STREET(w)}, {c.CITY(w)}, {c.ST(w, full=False)} {c.ZIP(w)}",
        "attendees": [c.EM(a1), c.EM(w)],
        "notes": f"Noticed under {c.K('RULE', 'Fed. R. Civ. P. 30(b)(1)')}; witness phone {c.PH(w)}; court reporter + videographer booked.",
    }
    return (
        f"User: put the {c.F(w)} deposition on the calendar for {c.P('DATE', c.fdate(d, 'md'))}, at the witness's home office since the witness is recovering from surgery\n"
        f"Assistant: Creating the event now.\n"
        f"<function_call name=\"calendar.create_event\">{c.json(args)}</function_call>"
    )


def L33_team_chat(c):
    a, b, cl, opp = c.person(), c.person(), c.person(gender="F"), c.person()
    t = c.r.randint(8, 10)
    return "\n".join([
        f"#lit-{c.pick(['team', 'support', 'trial-prep'])}",
        f"[{t}:14 AM] {c.F(a)}: anyone have {c.F(cl)}'s new number? the old one ({c.PH(cl)}) goes straight to a full voicemail",
        f"[{t}:15 AM] {c.F(b)}: she emailed it yesterday — {c.P('PHONE', c.pick(['(617) 555-0199', '312-555-0176', '415.555.0123', '(206) 555-0164', '646-555-0187']))}. also she moved: {c.ADDR(cl)}",
        f"[{t}:17 AM] {c.F(a)}: thx. judge moved the status conference to {c.date('future', fmt=c.pick(['md', 'us2']))}",
        f"[{t}:18 AM] {c.F(b)}: ok. i'll update the {c.K('RULE', 'Rule 16')} deadlines chart. did {c.N(opp)}'s lawyer ever send the {c.K('RULE', 'Rule 26(a)(1)')} disclosures?",
        f"[{t}:21 AM] {c.F(a)}: nope. drafting a deficiency letter now, citing {c.K('RULE', 'Fed. R. Civ. P. 37(c)(1)')}",
    ])


def L34_privilege_review(c):
    gc, emp, cl = c.person(), c.person(), c.person()
    co = c.co()
    return (
        f"PRIVILEGE REVIEW NOTES — batch {c.r.randint(3, 40)} ({co} production)\n"
        f"Reviewer: {c.N(cl)}  |  {c.date('recent', fmt='us')}\n\n"
        f"• DOC-{c.digits(5)}: Email from in-house counsel {c.N(gc)} to {c.N(emp)} (warehouse supervisor) asking for facts about the forklift incident. Privileged — communications "
        f"between corporate counsel and lower-level employees made to secure legal advice are protected. {c.cite('Upjohn')}; {c.idc()}.\n"
        f"• DOC-{c.digits(5)}: {c.L(emp)}'s handwritten notes of the same incident, made before counsel was involved. Not privileged; facts are not protected.\n"
        f"• DOC-{c.digits(5)}: Internal investigation summary; primary purpose was legal advice. {c.cite('KBR', pin=False)}. Withhold. See also {c.cite(topic='priv', pin=False)}.\n"
        f"• DOC-{c.digits(5)}: Forward of privileged email to {c.EM(emp)} — personal account. Possible waiver; escalate. Clawback protection under {c.K('RULE', 'Fed. R. Evid. 502(d)')} order, if entered."
    )


def L35_chat_securities(c):
    u = c.person()
    return (
        f"{c.F(u, lower=c.chance(0.3))} wrote: i lost about 40% when the stock dropped after the restatement. can i sue?\n\n"
        f"Assistant: I'm sorry about the loss. Here's general information about securities fraud claims (not legal advice):\n\n"
        f"1) Private claims usually arise under {c.K('STATUTE', '15 U.S.C. § 78j(b)')} and {c.K('RULE', 'SEC Rule 10b-5')}. You must plead a material misstatement, scienter, reliance, "
        f"economic loss, and loss causation. Materiality is judged from a reasonable investor's view. {c.cite('Basic')}.\n"
        f"2) The {c.K('LEGAL_TERM', 'Private Securities Litigation Reform Act')} requires facts giving rise to a \"strong inference\" of scienter. {c.cite('Tellabs')}.\n"
        f"3) You must show the misrepresentation caused the loss, not just that you paid an inflated price. {c.cite('Dura', pin=False)}.\n"
        f"4) Reliance can be presumed under the fraud-on-the-market theory. {c.short('Basic')}; {c.cite('HalliburtonII', pin=False)}.\n5) Related authority you may see cited: {c.cite(topic='sec')}.\n\n"
        f"If a class action has been filed, you may be a class member without doing anything. Keep your trade confirmations from {c.date('event', fmt='md')} onward."
    )


def L36_objection_letter(c):
    ob = c.person()
    fc = c.fed()
    co = c.co().split(",")[0]
    return "\n".join([
        c.date("recent", fmt="long"),
        "",
        "Clerk of Court",
        c.K("COURT", fc[0]),
        "",
        f"Re: In re {co} Data Security Incident Litigation — OBJECTION TO PROPOSED SETTLEMENT",
        "",
        f"My name is {c.N(ob)}. I am a member of the settlement class; my claim ID is {c.P('ID', c.pick(['CLM-', 'DSI-', '']) + c.digits(8))}. I live at {c.ADDR(ob)}.",
        "",
        f"I object because the settlement pays class members who lost money the same $25 as people who were never harmed. The court must find the settlement fair, reasonable, "
        f"and adequate. {c.K('RULE', 'Fed. R. Civ. P. 23(e)(2)')}. Class members whose claims are so different should not be lumped together. {c.cite('Amchem')}. "
        f"And only class members with a concrete injury have standing to recover damages. {c.cite('TransUnion')}; see also {c.cite(topic='class', pin=False)}.",
        "",
        f"My identity was used to open a credit card on {c.date('event')}, and I spent more than 30 hours fixing it. I do not intend to appear at the hearing. "
        f"You may contact me at {c.EM(ob)} or {c.PH(ob)}.",
        "",
        f"Signed, {c.N(ob)}",
    ])


def L37_chat_citation_help(c):
    u = c.person()
    a = c.cite(pin=False)
    case_a = c.last_case
    b = c.cite(pin=True)
    case_b = c.last_case
    return (
        f"User: i'm a paralegal student ({c.N(u)}, {c.EM(u)}) — how do I cite a case after the first time, and what's the deal with id.?\n\n"
        f"Assistant: Good question! Say your brief first cites {a}. Later references use a short form with a pin cite, e.g. "
        f"{c.short(case_a[0])}. If the very next citation is to the same authority, use {c.idc()} — or just {c.idc(pin=False)} for the same page.\n\n"
        f"When a new case intervenes, go back to the short form. For example, after {b}, a later cite to the first case would be "
        f"{c.short(case_a[0])}, and a later cite to the second would be {c.short(case_b[0])}.\n\n"
        f"Court rules sometimes add requirements; many federal courts follow {c.K('RULE', c.pick(['Local Civil Rule 7.1', 'Fed. R. App. P. 28(e)', 'Local Rule 5.1', 'Fed. R. App. P. 32.1']))} "
        f"for formatting. I can check your draft if you paste the citations."
    )


LEGAL_TEMPLATES = [v for k, v in sorted(globals().items()) if k.startswith("L") and k[1:3].isdigit() and callable(v)]


# ==========================================================================
# TRADING TEMPLATES
# ==========================================================================
def T01_robo_rebalance(c):
    u = c.person()
    bot = c.pick(BOTS)
    hot = c.pick(["NVDA", "AAPL", "MSFT", "TSLA", "META", "LLY", "COST", "NOW"])
    bond = c.pick(BOND_ETFS)
    tgt = c.pick([60, 70, 80])
    cur = tgt + round(c.r.uniform(4, 11), 1)
    w = round(c.r.uniform(9, 19), 1)
    q1, q2 = c.qty(5, 80, 1), c.qty(20, 150, 1)
    p = c.pxv(hot)
    gain = q1 * p * c.r.uniform(0.2, 0.5)
    return (
        f"User: hey, my portfolio looks lopsided after the {c.CO(hot)} run. should I rebalance?\n"
        f"{bot}: Hi {c.F(u)}! Your target mix is {c.pct(tgt, 0)} stocks / {c.pct(100 - tgt, 0)} bonds. Today you're at {c.pct(cur)} stocks, mostly because "
        f"{c.TK(hot)} has grown to {c.pct(w)} of account {c.acct()}.\n\n"
        f"Here's what I'd suggest:\n"
        f"  • Sell {c.num(q1)} shares of {c.TK(hot)} (about {c.money(q1 * p)})\n"
        f"  • Buy {c.num(q2)} shares of {c.TK(bond)} ({c.CO(bond)})\n"
        f"  • Leave the {c.TK('VXUS')} position as is\n\n"
        f"Estimated realized gain: {c.money(gain)} (long-term). Details on how we're paid are in our {c.REG(value='Form CRS')} and {c.REG(value='Form ADV Part 2A')}.\n"
        f"User: ok go ahead\n"
        f"{bot}: Done — orders are queued for the open. Confirmations will be emailed to {c.EM(u)}."
    )


def T02_robo_tlh(c):
    u, sp = c.person(), c.person()
    bot = c.pick(BOTS)
    loser = c.pick(["PFE", "BA", "DIS", "EL", "TGT", "KSS", "HOG", "MAT", "WEN", "LUV"])
    repl = c.pick(EQUITY_ETFS)
    q = c.qty(40, 900, 10)
    p = c.pxv(loser)
    basis = p * c.r.uniform(1.15, 1.6)
    loss = q * (basis - p)
    return (
        f"{bot}: {c.F(u)}, we found a tax-loss harvesting opportunity in your taxable account ({c.acct()}).\n"
        f"Your {c.num(q)} shares of {c.TK(loser)} ({c.CO(loser)}) are down {c.pct((basis - p) / basis * 100)} from your average cost of {c.money(basis)}. "
        f"Selling now would realize a loss of roughly {c.money(loss)}. To stay invested, we'd put the proceeds into {c.TK(repl)} ({c.CO(repl)}).\n"
        f"Heads up on the wash-sale rule: don't buy {c.TK(loser)} back in any account, including your IRA ({c.acct('ira')}), for 30 days. "
        f"The loss will show up on your {c.REG(value='Form 1099-B')} for {c.year(2024, 2025)}.\n\n"
        f"User: sounds good. my husband {c.F(sp, lower=True)} holds {c.TK(loser)} in his own account though, does that matter?\n"
        f"{bot}: It can. Purchases by a spouse within the window may also trigger a wash sale. If {c.F(sp)} plans to buy, let's wait. Want me to schedule a call with an adviser?"
    )


def T03_chat_one_letter(c):
    u = c.person()
    bot = c.pick(BOTS)
    s1, s2, s3 = c.syms(ONE_LETTER, 3)
    q1, q2 = c.qty(20, 500, 10), c.qty(30, 800, 10)
    p1, p2, p3 = c.pxv(s1), c.pxv(s2), c.pxv(s3)
    t = f"{c.r.randint(9, 15)}:{c.r.randint(10, 59)}"
    return "\n".join([
        f"[{t}] {c.F(u, lower=True)}: can u buy {c.num(q1)} more {c.TK(s1)} and sell all my {c.TK(s2)}",
        f"[{t}] {bot}: Hi {c.F(u)}! Before I place anything in your individual account ending in {c.acct('last4')}, please confirm:",
        f"   BUY  {c.num(q1)} {c.TK(s1)} ({c.CO(s1)}) market order, last {c.money(p1)}",
        f"   SELL {c.num(q2)} {c.TK(s2)} ({c.CO(s2)}) entire position, last {c.money(p2)}",
        f"   Est. net {'proceeds' if q2 * p2 >= q1 * p1 else 'debit'}: {c.money(abs(q2 * p2 - q1 * p1))}",
        f"[{t}] {c.F(u, lower=True)}: yes. also whats {c.TK(s3)} doing today",
        f"[{t}] {bot}: {c.TK(s3)} ({c.CO(s3)}) is at {c.money(p3)}, {c.pick(['up', 'down'])} {c.pct(c.r.uniform(0.2, 3.5), 2)} on the day. Both orders are submitted.",
    ])


def T04_order_ticket(c):
    cl, rep = c.person(), c.person()
    sym = c.pick(list(STOCKS))
    side = c.pick(["BUY", "SELL", "SELL SHORT"]) if sym not in ONE_LETTER else c.pick(["BUY", "SELL"])
    q = c.qty(100, 5000, 50)
    p = c.pxv(sym)
    lim = round(p * c.r.uniform(0.985, 1.01), 2)
    return "\n".join([
        f"ORDER TICKET  #{c.letters(2)}{c.digits(7)}",
        f"Account ........ {c.acct()} ({c.LF(cl)}{', cust. ID ' + c.P('ID', c.digits(9)) if c.chance(0.4) else ''})",
        f"Side ........... {side}",
        f"Quantity ....... {c.num(q)}",
        f"Symbol ......... {c.TK(sym)}  [{c.CO(sym)}]",
        f"Type ........... LIMIT @ {c.money(lim)}   TIF: {c.pick(['DAY', 'GTC', 'IOC'])}",
        f"Est. principal . {c.money(q * lim)}",
        f"Solicited ...... {c.pick(['No (unsolicited)', 'Yes'])}   Discretion: none",
        f"Entered by ..... {c.N(rep)}  {c.date('recent', fmt='us')} {c.r.randint(9, 15)}:{c.r.randint(10, 59)}:{c.r.randint(10, 59)} ET",
        f"Notes .......... client phoned from {c.PH(cl)}; identity verified with last 4 of SSN ({c.SSN(cl, last4=True)}) and DOB {c.DOB(cl, fmt='us')}.",
    ])


def T05_options_ticket(c):
    cl = c.person()
    sym = c.pick(["AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "F", "T", "KO", "DIS", "SPY", "QQQ", "IWM", "JPM", "CAT", "BA"])
    p = c.pxv(sym)
    step = 1 if p < 50 else (5 if p < 300 else 10)
    strike = round(p / step) * step + step * c.r.choice([-2, -1, 1, 2, 3])
    prem = round(p * c.r.uniform(0.01, 0.06), 2)
    n = c.r.randint(3, 40)
    mon = c.pick(MON3)
    yr = c.r.randint(2025, 2026)
    right = c.pick(["CALL", "PUT"])
    action = c.pick(["BUY TO OPEN", "SELL TO OPEN", "SELL TO CLOSE", "BUY TO CLOSE"])
    lvl = c.pick(["2", "3", "4"])
    return (
        f"OPTIONS ORDER — {action}\n"
        f"acct: {c.acct()} | client: {c.N(cl)} | approved level {lvl} ({c.REG(value='FINRA Rule 2360')})\n"
        f"{c.num(n)} x {c.TK(sym)} {mon} {c.year(y=yr)} {c.num(strike, comma=False)} {right} @ {c.money(prem)} LMT\n"
        f"underlying last: {c.money(p)} | contract multiplier 100 | est. premium {c.money(n * 100 * prem)}\n"
        f"{'Covered: client holds ' + c.num(n * 100) + ' shares' if action == 'SELL TO OPEN' and right == 'CALL' else 'Risk: defined (debit or closing order)'}\n"
        f"ODD delivered {c.date('event', fmt='us')}; options agreement on file."
    )


def T06_fixed_income(c):
    cl, rep = c.person(), c.person()
    if c.chance(0.6):
        sym = c.pick(c.with_cusip(["AAPL", "MSFT", "JPM", "JNJ", "PG", "KO", "PEP", "WMT", "CVX", "XOM", "HD", "MRK", "GS", "MS", "WFC"]))
        base = STOCKS[sym][2][:6] + c.letters(1) + c.digits(1)
        cus = base + cusip_check(base)
        issuer = c.CO(sym)
        label = f"{issuer} {c.pct(c.r.choice([3.25, 3.85, 4.125, 4.4, 4.75, 5.05]), 3)} Sr Notes due {c.year(2028, 2035)}"
    else:
        base = "91282C" + c.letters(1) + c.digits(1)
        cus = base + cusip_check(base)
        label = f"U.S. Treasury {c.pct(c.r.choice([3.875, 4.0, 4.25, 4.375, 4.625]), 3)} Note due {c.year(2027, 2034)}"
    par = c.pick([25000, 50000, 100000, 250000, 500000])
    price = round(c.r.uniform(94, 103), 3)
    ytm = round(c.r.uniform(3.9, 5.6), 3)
    return (
        f"{c.h('Fixed Income Order')}\n"
        f"{c.h('Client')}: {c.N(cl)}   {c.h('Acct')}: {c.acct()}\n"
        f"{c.h('Security')}: {label}\n"
        f"{c.h('CUSIP')}: {c.K('NUMBER', cus)}\n"
        f"{c.h('Side')}: BUY   {c.h('Par')}: {c.money(par, dec=0)}   {c.h('Price')}: {c.K('NUMBER', f'{price:.3f}')}   {c.h('YTM')}: {c.pct(ytm, 3)}\n"
        f"{c.h('Markup disclosed')}: yes ({c.REG(value='FINRA Rule 2232')})\n"
        f"{c.h('Rep')}: {c.N(rep)}; trade date {c.date('recent', fmt='us')}; settle T+1"
    )


def T07_regbi_review(c):
    rev, rep, cl = c.person(), c.person(), c.person()
    sym = c.pick(list(STOCKS))
    fund = c.pick(MUTUAL_FUNDS + [ETFS[e][0] for e in EQUITY_ETFS])
    conc = round(c.r.uniform(18, 45), 1)
    return "\n".join([
        f"{c.h('Compliance Review')} — {c.REG(value=c.pick(['Regulation Best Interest', 'Reg BI']))}",
        f"{c.h('Reviewer')}: {c.N(rev)}   {c.h('Date')}: {c.date('recent', fmt='us')}",
        f"{c.h('Registered rep')}: {c.N(rep)}   {c.h('Customer')}: {c.N(cl)} ({c.acct()})",
        "",
        f"Recommendation reviewed: liquidate {c.IDX(fund)} and concentrate proceeds in {c.CO(sym)} ({c.TK(sym)}), bringing the position to {c.pct(conc)} of liquid net worth.",
        f"Customer profile: DOB {c.DOB(cl)}, retired, objective listed as income / preservation, risk tolerance conservative. Annual income {c.money(c.r.randint(40, 90) * 1000, dec=0)}.",
        "",
        f"Findings: The rationale in the CRM note does not address concentration risk or reasonably available alternatives. Under the Care Obligation of "
        f"{c.REG(value='Regulation Best Interest')}, the rep must have a reasonable basis to believe the recommendation is in the customer's best interest. "
        f"Cf. {c.REG(value='FINRA Rule 2111')} (customer-specific suitability).",
        f"Action: trade cancelled before execution; rep to re-document; supervisory follow-up under {c.REG(value='FINRA Rule 3110')} by {c.date('future', fmt='md')}.",
    ])


def T08_surveillance(c):
    rep, cl = c.person(), c.person(gender="F")
    syms = c.syms(list(STOCKS), 4)
    to = round(c.r.uniform(6.1, 14.8), 1)
    ce = round(c.r.uniform(20.5, 48.0), 1)
    comm = c.r.randint(18, 96) * 1000 + c.r.randint(0, 999)
    alert = f"SURV-{c.digits(7)}"
    return (
        f"ALERT {alert} — excessive trading (quantitative suitability)\n"
        f"Account: {c.acct()} — {c.N(cl)}, {c.CITY(cl)}, {c.ST(cl)}\n"
        f"RR: {c.N(rep)}\n"
        f"Review period: {c.date('event', fmt='us')} – {c.date('recent', fmt='us')}\n\n"
        f"Annualized turnover: {c.num(to, comma=False)}x   Cost/equity ratio: {c.pct(ce)}   Commissions + markups: {c.money(comm, dec=0)}\n"
        f"Most-traded: {', '.join(c.TK(s) for s in syms)} (in-and-out trades in {c.TK(syms[0])} within 5 sessions, 11 times)\n\n"
        f"Analyst notes: turnover above 6 and cost/equity above 20% are presumptive red flags under {c.REG(value='FINRA Rule 2111.05(c)')}. "
        f"Rep appears to exercise de facto control — customer told the branch manager on {c.date('recent', fmt='md')} that she \"just goes along with whatever "
        f"{c.F(rep)} suggests.\" Escalate to {c.REG(value='FINRA Rule 3110')} supervisory review; consider a heightened-supervision plan."
    )


def trusted(c):
    if c.chance(0.6):
        tc = c.person()
        return f"Trusted contact: {c.N(tc)} ({c.pick(['sister', 'brother', 'son', 'daughter', 'friend', 'attorney'])}), {c.PH(tc)}"
    return f"Trusted contact: declined ({c.REG(value='FINRA Rule 4512(a)(1)(F)')} disclosure provided)"


def T09_kyc_individual(c):
    cl = c.person()
    emp = c.pick(list(STOCKS))
    nw = c.r.randint(3, 80) * 25000
    liq = int(nw * c.r.uniform(0.2, 0.6) / 1000) * 1000
    return "\n".join([
        f"ACCOUNT OPENING — KYC SUMMARY ({c.REG(value='FINRA Rule 2090')} / {c.REG(value='FINRA Rule 4512')})",
        f"Name: {c.N(cl)}",
        f"DOB: {c.DOB(cl)}     SSN: {c.SSN(cl)}",
        f"Residential address: {c.ADDR(cl)}",
        f"Phone: {c.PH(cl)}     Email: {c.EM(cl)}",
        f"ID verified: {c.K('STATE', cl.state)} driver's license {c.dl(cl.st)}, exp. {c.year(2026, 2031)}",
        f"Employer: {c.CO(emp)} — {c.pick(['senior engineer', 'store manager', 'pharmacist', 'financial analyst', 'regional director'])}",
        f"Annual income: {c.money(c.r.randint(7, 45) * 10000, dec=0)}   Net worth (excl. home): {c.money(nw, dec=0)}   Liquid NW: {c.money(liq, dec=0)}",
        f"Objective: {c.pick(['growth', 'growth & income', 'income', 'speculation'])}; time horizon {c.pick(['3-5', '5-10', '10+'])} yrs; risk tolerance {c.pick(['moderate', 'moderately aggressive', 'conservative'])}",
        trusted(c),
        f"CIP: documentary verification complete under {c.REG(value='31 CFR 1023.220')}; OFAC clear; {c.REG(value='Form W-9')} on file.",
    ])


def T10_kyc_trust(c):
    g1 = c.person()
    g2 = c.person(last=g1.last)
    b1, b2 = c.person(last=g1.last), c.person()
    trust_date = c.rdate("old")
    return (
        f"New account — revocable trust\n"
        f"Title: {c.N(g1)} and {c.N(g2)}, Trustees of the {c.P('NAME', g1.last)} Family Trust u/a/d {c.P('DATE', c.fdate(trust_date, 'us'))}\n"
        f"Trust TIN: grantor trust, uses {c.F(g1)}'s SSN ({c.SSN(g1)})\n"
        f"Mailing: {c.ADDR(g1)}\n"
        f"Contact: {c.PH(g1)} / {c.EM(g2)}\n"
        f"Beneficiaries (per certification of trust): {c.N(b1)} ({ {'F': 'daughter', 'M': 'son'}.get(b1.gender, 'child') }), {c.N(b2)} ({ {'F': 'niece', 'M': 'nephew'}.get(b2.gender, 'grandchild') })\n"
        f"Initial funding: ACAT of {c.num(c.qty(100, 3000, 50))} {c.TK(c.pick(PERSON_COS))} plus {c.money(c.r.randint(50, 900) * 1000, dec=0)} in cash; "
        f"target allocation {c.pct(c.pick([50, 60, 70]), 0)} {c.IDX(c.pick(['S&P 500', 'MSCI ACWI', 'Russell 3000']))} exposure\n"
        f"Notes: certification of trust reviewed {c.date('recent', fmt='us')}; both trustees must sign for withdrawals over {c.money(c.pick([25000, 50000, 100000]), dec=0)}. "
        f"KYC per {c.REG(value='FINRA Rule 2090')}."
    )


def foreign_phone(c, country, city):
    d = c.digits
    return {"United Kingdom": f"+44 7700 900{d(3)}", "Ireland": f"+353 85 {d(3)} {d(4)}",
            "Canada": f"+1 {'416' if city == 'Toronto' else '604'} 555 01{d(2)}", "Netherlands": f"+31 6 {d(8)}",
            "Germany": f"+49 151 {d(8)}", "France": f"+33 6 {d(2)} {d(2)} {d(2)} {d(2)}",
            "Japan": f"+81 90 {d(4)} {d(4)}", "Spain": f"+34 612 {d(3)} {d(3)}",
            "South Africa": f"+27 82 {d(3)} {d(4)}"}[country]


def T11_kyc_foreign(c):
    cl = c.person(gender=c.pick(["F", "M"]))
    street, city, pc, country = c.pick(FOREIGN)
    sym = c.pick(c.with_cusip(BIG))
    return "\n".join([
        f"{c.h('KYC Summary')} — non-resident alien individual",
        f"{c.h('Name')}: {c.N(cl)}",
        f"{c.h('Citizenship')}: {country}   {c.h('Passport')}: {c.passport()} (exp. {c.year(2027, 2034)})",
        f"{c.h('Permanent address')}: {c.P('STREET_ADDRESS', street)}, {c.P('CITY', city)} {c.P('POSTAL_CODE', pc)}, {country}",
        f"{c.h('DOB')}: {c.DOB(cl, fmt=c.pick(['iso', 'intl', 'mon3']))}",
        f"{c.h('Mobile')}: {c.P('PHONE', foreign_phone(c, country, city))}",
        f"{c.h('Tax forms')}: {c.REG(value='Form W-8BEN')} received {c.date('recent', fmt='us')}; treaty rate 15% on dividends claimed",
        f"{c.h('Source of funds')}: sale of shares in a private company; wire from {c.acct('iban')}",
        f"{c.h('Intended activity')}: buy-and-hold US large caps ({c.TK(sym)}, {c.IDX(c.pick(['S&P 500', 'Nasdaq-100']))} index ETFs)",
        f"{c.h('First order')}: {c.num(c.qty(20, 400, 5))} {c.TK(sym)} (ISIN {c.isin(sym)}) at limit {c.money(c.pxv(sym))}",
        f"{c.h('Risk rating')}: medium — enhanced due diligence not triggered",
    ])


def T12_morning_note(c):
    a = c.person()
    i1, i2 = c.r.sample(["S&P 500", "Nasdaq Composite", "Dow Jones Industrial Average", "Nasdaq-100"], 2)
    i3 = c.pick(["Russell 2000", "S&P SmallCap 600"])
    fx = c.r.sample(["Nikkei 225", "Hang Seng", "Stoxx Europe 600", "FTSE 100", "DAX", "Euro Stoxx 50"], 2)
    e1, e2, e3 = c.syms(list(STOCKS), 3)
    sg = lambda lo, hi, dec=2: c.spct(c.pick([1, -1]) * c.r.uniform(lo, hi), dec)
    return "\n".join([
        f"MORNING NOTE — {c.pick(['Equities', 'US Markets', 'Pre-Open'])}",
        "",
        f"Futures: {c.IDX(i1)} {sg(0.1, 1.2)}, {c.IDX(i2)} {sg(0.1, 1.5)}. Overseas, the {c.IDX(fx[0])} "
        f"closed {c.pick(['higher', 'lower'])} and the {c.IDX(fx[1])} is {c.pick(['flat', 'up modestly', 'off its lows'])}. 10-year yield {c.pct(c.r.uniform(3.8, 4.8), 2)}; "
        f"{c.IDX('VIX')} {c.num(round(c.r.uniform(12, 24), 1), comma=False)}.",
        "",
        "Movers:",
        f"- {c.CO(e1)} ({c.TK(e1)}) {sg(2, 9, 1)} pre-market after {c.pick(['beating on revenue', 'cutting guidance', 'announcing a buyback', 'a downgrade'])}.",
        f"- {c.CO(e2)} ({c.TK(e2)}): {c.pick(['reports after the close', 'investor day today', 'ex-dividend today', 'FDA decision pending'])}; options imply a {c.pct(c.r.uniform(3, 9))} move.",
        f"- {c.TK(e3)} {c.pick(['upgraded to Buy', 'initiated at Neutral', 'cut to Underweight'])}; PT {c.money(c.pxv(e3) * c.r.uniform(0.85, 1.25), dec=0)}.",
        "",
        f"Small caps: the {c.IDX(i3)} has lagged by {c.pct(c.r.uniform(1, 6))} month-to-date.",
        "",
        f"— {c.N(a)}, Equity Strategy. Not a recommendation; see disclosures. Distributed under {c.REG(value='FINRA Rule 2241')}.",
    ])


def T13_call_list(c):
    a = c.person()
    ps = [c.person() for _ in range(3)]
    sym, sym2 = c.syms(PERSON_COS + WORD_TICKERS, 2)
    lines = [
        f"Pre-market call list — {c.N(a)}'s book",
        f"Theme: {c.CO(sym)} ({c.TK(sym)}) {c.pick(['gapping down', 'up'])} {c.pct(c.r.uniform(4, 12))} on earnings; {c.TK(sym2)} {c.pick(['halted', 'downgraded', 'raising its dividend'])}.",
        "",
    ]
    for p in ps:
        q = c.qty(100, 4000, 25)
        lines.append(f"[ ] {c.N(p)} — {c.PH(p)} — holds {c.num(q)} {c.TK(c.pick([sym, sym2]))} in {c.acct()}; "
                     f"{c.pick(['discuss trimming', 'wants to add on weakness', 'ask about stop order', 'check concentration vs IPS'])}")
    lines.append("")
    lines.append(f"Reminder: document any recommendation in the CRM per {c.REG(value='Reg BI')}.")
    return "\n".join(lines)


def T14_margin_email(c):
    cl = c.person()
    b, dom = c.pick(BROKERS)
    desk = c.person(firm=dom)
    eq = c.r.randint(40, 400) * 1000 + c.r.randint(0, 999)
    mr = c.pick([25, 30, 35, 40])
    call = c.r.randint(5, 60) * 1000 + c.r.randint(0, 999) + 0.37
    sym = c.pick(list(STOCKS))
    due = c.rdate("recent")
    return (
        f"From: Margin Department <margin@{dom}>\nTo: {c.N(cl)} <{c.EM(cl)}>\nSubject: URGENT: Maintenance call on account {c.acct()}\n\n"
        f"Dear {c.T(cl)},\n\n"
        f"Following the decline in {c.CO(sym)} ({c.TK(sym)}), the equity in your margin account fell to {c.money(eq)}, below the {c.pct(mr, 0)} house maintenance requirement. "
        f"A maintenance call of {c.money(call)} has been issued and is due by 4:00 p.m. ET on {c.P('DATE', c.fdate(due, c.pick(['long', 'abbr', 'us'])))}.\n\n"
        f"You may meet the call by depositing cash or marginable securities, or by selling positions. If the call is not met, {b} may liquidate securities without "
        f"further notice, as permitted by your margin agreement and {c.REG(value='FINRA Rule 4210')}. Requirements may exceed the minimums set by {c.REG(value='Regulation T')}.\n\n"
        f"Questions: {c.N(desk)}, margin desk, {c.PH(desk)}.\n\n{b}"
    )


def T15_margin_phone_log(c):
    cl, rep = c.person(), c.person()
    sym = c.pick(list(STOCKS))
    q = c.qty(100, 2000, 50)
    p = c.pxv(sym)
    return "\n".join([
        f"CALL LOG — margin deficiency follow-up ({c.date('recent', fmt='us2')})",
        f"{c.r.randint(9, 11)}:{c.r.randint(10, 59)}  {c.I(rep)} called {c.N(cl)} at {c.PH(cl)} — no answer, left VM.",
        f"{c.r.randint(12, 13)}:{c.r.randint(10, 59)}  Client returned call. Confirmed the {c.money(c.r.randint(8, 40) * 1000, dec=0)} call; wire coming from bank acct {c.acct('bank')} tomorrow.",
        f"          Client asked to sell {c.num(q)} {c.TK(sym)} at market to reduce debit; executed at {c.money(p)}.",
        f"          Explained that under {c.REG(value='Reg T')} and {c.REG(value='FINRA Rule 4210')} the firm can liquidate without notice. Client understood.",
        f"14:{c.r.randint(10, 59)}  Remaining deficiency {c.money(c.r.randint(1, 7) * 1000 + 0.5)}. Flagged for desk review.",
    ])


def T16_options_approval(c):
    cl, prin = c.person(), c.person()
    lvl = c.pick([1, 2, 3, 4])
    yrs = c.r.randint(0, 15)
    return "\n".join([
        f"{c.h('Options Account Approval')} — {c.REG(value='FINRA Rule 2360(b)(16)')}",
        f"{c.h('Applicant')}: {c.N(cl)} ({c.acct()})   {c.h('DOB')}: {c.DOB(cl)}",
        f"{c.h('Requested')}: Level {lvl + 1}   {c.h('Approved')}: Level {lvl}",
        f"{c.h('Experience')}: stocks {yrs + 3} yrs; options {yrs} yrs ({c.num(c.r.randint(0, 60), comma=False)} trades/yr)",
        f"{c.h('Financials')}: income {c.money(c.r.randint(6, 40) * 10000, dec=0)}; liquid NW {c.money(c.r.randint(2, 90) * 10000, dec=0)}",
        f"{c.h('Objective')}: {c.pick(['speculation', 'growth', 'income'])}",
        "",
        f"Rationale: Applicant's stated experience does not support uncovered writing. Approved for covered calls and long puts/calls; spreads after 6 months of activity. "
        f"{c.REG(value='Options Disclosure Document')} delivered by email to {c.EM(cl)} on {c.date('recent', fmt='us')}.",
        f"Approving principal: {c.N(prin)}",
    ])


def T17_options_letter(c):
    cl = c.person()
    b, dom = c.pick(BROKERS)
    lvl = c.pick([1, 2, 3])
    return (
        f"{b}\n{c.date('recent', fmt='long')}\n\n{c.N(cl)}\n{c.ADDR(cl, sep=chr(10))}\n\n"
        f"Re: Your options trading application — account ending {c.acct('last4')}\n\n"
        f"Dear {c.N(cl)}:\n\n"
        f"Thank you for applying to trade options. Based on the information you provided about your investment experience, financial situation and objectives, "
        f"we have approved your account for Level {lvl} options trading. Your request for uncovered (naked) writing was not approved at this time.\n\n"
        f"Options involve risk and are not suitable for all investors. Please read {c.REG(value='Characteristics and Risks of Standardized Options')}, which we sent to you on "
        f"{c.date('recent', fmt='us')}. You may reapply after 90 days.\n\nOptions Compliance\n{b} | Member FINRA/SIPC"
    )


def T18_place_order_json(c):
    cl = c.person()
    sym = c.pick(list(STOCKS) + EQUITY_ETFS)
    q = c.qty(1, 1500, 1)
    p = c.pxv(sym)
    lim = round(p * c.r.uniform(0.97, 1.0), 2)
    typ = c.pick(["limit", "stop_limit", "limit"])
    args = {
        "account_id": c.acct(),
        "symbol": c.TK(sym),
        "side": c.pick(["buy", "sell"]),
        "quantity": c.num(q, comma=False, raw=True),
        "order_type": typ,
        "limit_price": c.K("NUMBER", f"{lim:.2f}", raw=True),
        "time_in_force": c.pick(["day", "gtc"]),
        "client_order_id": f"co-{c.digits(6)}-{c.letters(3).lower()}",
    }
    if typ == "stop_limit":
        args["stop_price"] = c.K("NUMBER", f"{lim * 1.003:.2f}", raw=True)
    style = c.r.randint(0, 2)
    if style == 0:
        who = c.F(cl)
        return (f"User ({who}): {c.pick(['buy', 'pick up'])} {c.num(q)} {c.TK(sym)} for me, limit {c.money(lim)}\n"
                f"Assistant: Placing the order.\n<tool_call>{c.json({'name': 'trading.place_order', 'arguments': args})}</tool_call>")
    if style == 1:
        who = c.F(cl)
        return (f"Assistant → tool call `broker_api.submit_order`\n```json\n{c.json(args, indent=2)}\n```\n"
                f"Reason: {who} asked to {'trim' if args['side'] == 'sell' else 'add to'} {c.CO(sym)} before the close.")
    return (f"{c.json({'type': 'function_call', 'function': 'orders.create', 'args': args, 'requested_by': c.EM(cl)})}\n"
            f"{c.json({'status': 'accepted', 'order_id': c.digits(10), 'symbol': c.TK(sym)})}")


def T19_positions_json(c):
    cl = c.person()
    syms = c.syms(list(STOCKS) + EQUITY_ETFS + BOND_ETFS, 4)
    pos = []
    for s in syms:
        q = c.qty(5, 2500, 5)
        p = c.pxv(s)
        pos.append({"symbol": c.TK(s), "qty": c.num(q, comma=False, raw=True),
                    "last": c.K("NUMBER", f"{p:.2f}", raw=True),
                    "market_value": c.K("NUMBER", f"{q * p:.2f}", raw=True)})
    acct = c.acct()
    req = {"tool": "portfolio.get_positions", "arguments": {"account_id": acct, "as_of": c.date("recent", fmt="iso")}}
    return (
        f"Let me pull {c.N(cl)}'s current holdings first.\n{c.json(req)}\n"
        f"[tool output]\n{c.json({'account_id': acct, 'owner': c.N(cl), 'positions': pos}, indent=2)}\n"
        f"Largest holding is {pos[0]['symbol']}; nothing exceeds the {c.pct(25, 0)} single-name limit in the IPS."
    )


def T20_acat_json(c):
    cl = c.person()
    b_from = c.pick(["Fidelity", "Vanguard", "E*TRADE", "Robinhood", "Merrill"])
    syms = c.syms(list(STOCKS), 3)
    args = {
        "transfer_type": c.pick(["full", "partial"]),
        "receiving_account": c.acct(),
        "delivering_firm": c.K("COMPANY", b_from),
        "delivering_account": c.acct(),
        "owner": {"name": c.N(cl), "ssn_last4": c.SSN(cl, last4=True), "dob": c.DOB(cl, fmt="iso")},
        "assets": [{"symbol": c.TK(s), "quantity": c.num(c.qty(10, 1200, 5), comma=False, raw=True)} for s in syms],
        "cash": c.K("NUMBER", f"{c.r.uniform(100, 25000):.2f}", raw=True),
    }
    return (
        f"Initiating the ACAT for {c.F(cl)}. Note: partial transfers of fractional shares of {c.TK(syms[0])} will be liquidated by the delivering firm.\n\n"
        f"<invoke tool=\"transfers.acat_initiate\">\n{c.json(args, indent=2)}\n</invoke>"
    )


def T21_quote_tool(c):
    cl = c.person()
    syms = c.syms(ONE_LETTER + WORD_TICKERS, 3)
    req = {"tool": "market_data.quotes", "arguments": {"symbols": [c.TK(s) for s in syms], "fields": ["last", "change_pct", "volume"]}}
    pxs = {s: c.pxv(s) for s in syms}
    resp = {"quotes": [{"symbol": c.TK(s), "last": c.K("NUMBER", f"{pxs[s]:.2f}", raw=True),
                        "change_pct": c.K("NUMBER", f"{c.r.uniform(-3, 3):.2f}", raw=True)} for s in syms]}
    return (
        f"user: {c.F(cl, lower=True)} here. how are {', '.join(c.TK(s) for s in syms[:2])} and {c.TK(syms[2])} doing? i own all three in my roth\n"
        f"assistant (tool): {c.json(req)}\n"
        f"tool: {c.json(resp)}\n"
        f"assistant: {c.CO(syms[0])} is at {c.money(pxs[syms[0]])}. {c.CO(syms[1])} and {c.CO(syms[2])} are both within 3% of yesterday's close. "
        f"Want me to set price alerts on your Roth IRA ({c.acct('ira')})?"
    )


def T22_rmd_chat(c):
    u = c.person()
    ben = c.person()
    bot = c.pick(BOTS)
    bal = c.r.randint(120, 2400) * 1000 + c.r.randint(0, 999) + 0.42
    y = c.r.randint(2025, 2026)
    factor = c.pick([26.5, 25.5, 24.6, 23.7, 22.9, 22.0, 21.1])
    return (
        f"Customer: Hi, I turned 73 this year and I'm confused about the required minimum distribution from my IRA.\n"
        f"{bot}: Happy to help, {c.F(u)}. For IRA {c.acct('ira')}, the prior year-end balance was {c.money(bal)}. Using the Uniform Lifetime Table factor of "
        f"{c.num(factor, comma=False)}, your {c.year(y=y)} RMD is about {c.money(bal / factor)}.\n"
        f"Customer: Can you send it to my checking account? And I want to make {c.N(ben)} my primary beneficiary instead of my late husband.\n"
        f"{bot}: I can set up the distribution to your linked bank account ending in {c.acct('last4')}. For the beneficiary change, I'll need {c.F(ben)}'s date of birth and "
        f"address. We'll report the distribution on {c.REG(value='Form 1099-R')} and the account value on {c.REG(value='Form 5498')}.\n"
        f"Customer: {c.F(ben)} was born {c.DOB(ben, fmt='long')} and lives at {c.ADDR(ben)}."
    )


def T23_wire_request(c):
    cl = c.person()
    rep = c.person()
    amt = c.r.randint(5, 250) * 1000
    return "\n".join([
        f"{c.h('Outgoing Wire Request')}",
        f"{c.h('From account')}: {c.acct()}   ({c.N(cl)})",
        f"{c.h('Amount')}: {c.money(amt)}",
        f"{c.h('Beneficiary')}: {c.N(cl)}",
        f"{c.h('Beneficiary address')}: {c.ADDR(cl)}",
        f"{c.h('Beneficiary bank')}: {c.K('COMPANY', c.pick(['JPMorgan Chase', 'Bank of America', 'U.S. Bancorp', 'PNC', 'Citizens', 'TD Bank']))}, ABA {c.pick(['021000021', '026009593', '091000022', '043000096', '011500120', '031101266'])}",
        f"{c.h('Beneficiary acct')}: {c.acct('bank')}",
        f"{c.h('Purpose')}: {c.pick(['home closing', 'tuition', 'transfer to own account', 'estimated tax payment'])}",
        f"{c.h('Verbal verification')}: callback to number of record {c.PH(cl)} on {c.date('recent', fmt='us')} by {c.N(rep)}",
        f"{c.h('Note')}: first-party wire; no red flags. Sold {c.num(c.qty(50, 900, 10))} {c.TK(c.pick(EQUITY_ETFS))} to raise cash.",
    ])


def T24_trade_confirm(c):
    cl = c.person()
    b, dom = c.pick(BROKERS)
    sym = c.pick(c.with_cusip(list(STOCKS)))
    q = c.qty(10, 1500, 5)
    p = c.pxv(sym)
    comm = c.pick([0.0, 4.95, 6.95])
    td = c.rdate("recent")
    sd = td + datetime.timedelta(days=1 if td.weekday() < 4 else 3)
    return (
        f"{b} — TRADE CONFIRMATION\n"
        f"{c.N(cl)}\n{c.ADDR(cl, sep=chr(10))}\n\n"
        f"Account: {c.acct()}    Trade date: {c.P('DATE', c.fdate(td, 'us'))}    Settlement: {c.P('DATE', c.fdate(sd, 'us'))}\n"
        f"You {c.pick(['BOUGHT', 'SOLD'])} {c.num(q)} {c.CO(sym)} COM   Symbol: {c.TK(sym)}   CUSIP: {c.cusip(sym)}{'   ISIN: ' + c.isin(sym) if c.chance(0.6) else ''}\n"
        f"Price {c.money(p)}   Principal {c.money(q * p)}   Commission {c.money(comm)}   Reg fee {c.money(round(q * p * 0.0000278, 2))}\n"
        f"Net amount {c.money(q * p + comm)}\n"
        f"Capacity: agent. Solicited: no. Order routing information available under {c.REG(value='Rule 606')}."
    )


def T25_crm_note(c):
    rep, cl = c.person(), c.person()
    sp = c.person(last=cl.last)
    syms = c.syms(DIVIDEND, 2)
    return (
        f"CRM ▸ Activity ▸ Phone call  ({c.date('recent', fmt='us')})\n"
        f"Advisor: {c.N(rep)}\nHousehold: {c.P('NAME', cl.last)} ({c.N(cl)} & {c.N(sp)})\n\n"
        f"spoke w/ {c.F(cl)} re: income needs. {c.F(sp)} retiring from {c.CO(c.pick(list(STOCKS)))} in {c.year(2025, 2027)}; pension lump sum ~{c.money(c.r.randint(3, 12) * 100000, dec=0)}. "
        f"Discussed adding to {c.TK(syms[0])} and {c.TK(syms[1])} for yield ({c.pct(c.r.uniform(2.5, 5.5), 2)} / {c.pct(c.r.uniform(2.5, 5.5), 2)}), "
        f"plus {c.IDX(c.pick(MUTUAL_FUNDS))} for cash. No trades today. Client prefers email at {c.EM(cl)}; cell {c.PH(cl)}.\n"
        f"Follow-up: send IPS draft; {c.REG(value='Reg BI')} disclosure ({c.REG(value='Form CRS')}) re-delivered. Household ID {c.P('ID', 'HH-' + c.digits(6))}."
    )


def T26_elder_note(c):
    cl, tc, sus = c.person(gender="F"), c.person(gender="F"), c.person(gender="M")
    cl.dob = datetime.date(c.r.randint(1934, 1944), c.r.randint(1, 12), c.r.randint(1, 28))
    ev = c.rdate("recent")
    age = ev.year - cl.dob.year - ((ev.month, ev.day) < (cl.dob.month, cl.dob.day))
    amt = c.r.randint(20, 180) * 1000
    return "\n".join([
        f"{c.h('Escalation')}: suspected financial exploitation — {c.REG(value='FINRA Rule 2165')} temporary hold",
        f"{c.h('Customer')}: {c.N(cl)}, age {age} (DOB {c.DOB(cl, fmt='us')}), acct {c.acct()}",
        f"{c.h('Trusted contact')}: {c.N(tc)} (daughter), {c.PH(tc)}, listed per {c.REG(value='FINRA Rule 4512')}",
        "",
        f"On {c.date(d=ev)}, the customer called requesting a {c.money(amt, dec=0)} wire to an account in the name of {c.N(sus)}, described as a \"new friend\" met online. "
        f"A man who identified himself as {c.F(sus)} was audible on the line prompting answers. Customer also asked to sell her entire {c.TK(c.pick(DIVIDEND))} position.",
        f"Placed a temporary hold on the disbursement (15 business days). Contacted {c.F(tc)} the same day; she confirmed her mother recently changed her phone number and mailing address to "
        f"{c.ADDR(cl)}.",
        f"Next: notify Adult Protective Services in {c.CITY(cl)}; legal review of any extension.",
    ])


def T27_insider_plan(c):
    ex = c.person()
    sym = c.pick(PERSON_COS + ["AAPL", "NVDA", "META"])
    q = c.qty(1000, 40000, 500)
    p = c.pxv(sym)
    return (
        f"Executive Services — plan adoption memo\n"
        f"Client: {c.N(ex)}, SVP at {c.CO(sym)} ({c.TK(sym)}) — {c.REG(value='Section 16')} officer\n"
        f"Account: {c.acct()}\n\n"
        f"The client adopted a {c.REG(value='Rule 10b5-1')} trading plan on {c.date('recent')}. Under the {c.year(y=2023)} amendments, officers must observe a cooling-off period of the later of "
        f"90 days or two business days after the {c.REG(value='Form 10-Q')} filing (capped at 120 days), so the first sale can occur no earlier than {c.date('future', fmt='long')}.\n"
        f"Plan terms: sell {c.num(q)} shares in monthly tranches if {c.TK(sym)} trades at or above {c.money(p * 1.05)}; limit floor {c.money(p * 0.9)}.\n"
        f"Sales will be reported on {c.REG(value='Form 4')} within two business days; volume limits under {c.REG(value='Rule 144')} reviewed — "
        f"{c.num(q // 3)} shares per quarter is well under {c.pct(1, 0)} of shares outstanding.\n"
        f"Contact for the client's assistant: {c.EM(ex)}."
    )


def T28_complaint_log(c):
    cl, rep, mgr = c.person(), c.person(), c.person()
    sym = c.pick(list(STOCKS))
    cid = f"CMP-{c.digits(7)}"
    return "\n".join([
        f"WRITTEN COMPLAINT LOG — entry {cid}",
        f"Received: {c.date('recent', fmt='us')} via {c.pick(['email', 'letter', 'secure message'])}",
        f"Customer: {c.N(cl)}   Customer ID: {c.P('ID', 'CID-' + c.digits(7))}   Account: {c.acct()}   Branch: {c.CITY(rep)}",
        f"Associated person: {c.N(rep)}",
        f"Allegation: unauthorized trading — {c.num(c.qty(100, 2000, 50))} shares of {c.TK(sym)} ({c.CO(sym)}) purchased on {c.date('recent', fmt='md')} without the customer's consent; "
        f"loss claimed {c.money(c.r.randint(2, 60) * 1000 + 0.14)}.",
        f"Reportable: evaluate under {c.REG(value='FINRA Rule 4530')} (quarterly statistical reporting); retain per {c.REG(value='Rule 17a-4')} and {c.REG(value='FINRA Rule 4513')}.",
        f"Assigned to: {c.N(mgr)}. Customer callback number {c.PH(cl)}.",
    ])


def T29_quarterly_letter(c):
    cl = c.person()
    adv = c.person()
    b, dom = c.pick(BROKERS)
    adv.email = f"{ascii_fold(adv.first).lower()}.{ascii_fold(adv.last).lower()}@{dom}"
    ret = round(c.r.uniform(-4, 9), 1)
    bm = round(ret + c.r.uniform(-2, 2), 1)
    syms = c.syms(list(STOCKS), 2)
    return (
        f"Dear {c.F(cl)},\n\n"
        f"Your portfolio returned {c.pct(ret)} for the quarter, compared with {c.pct(bm)} for the blended benchmark ({c.pct(60, 0)} {c.IDX('MSCI ACWI')} / {c.pct(40, 0)} "
        f"{c.IDX('Bloomberg U.S. Aggregate Bond Index')}). The {c.IDX('S&P 500')} gained {c.pct(c.r.uniform(-3, 10))}, led by a handful of mega-cap names.\n\n"
        f"Contributors included {c.CO(syms[0])} ({c.TK(syms[0])}), while {c.CO(syms[1])} ({c.TK(syms[1])}) detracted after weak guidance. We trimmed {c.TK(syms[0])} "
        f"to keep it under {c.pct(8, 0)} of the account.\n\n"
        f"As we discussed on {c.date('recent', fmt='md')}, we'll revisit your cash reserve before {c.N(c.person(last=cl.last))} starts college in the fall.\n\n"
        f"Warm regards,\n{c.N(adv)}\n{b}\n{c.EM(adv)}"
    )


def T30_statement(c):
    cl = c.person()
    b, dom = c.pick(BROKERS)
    rows = []
    total = 0
    for s in c.syms(list(STOCKS) + EQUITY_ETFS, 4):
        q = c.qty(5, 1500, 5)
        p = c.pxv(s)
        total += q * p
        qs, ps, vs = f"{q:,}", f"${p:,.2f}", f"${q * p:,.2f}"
        rows.append(c.TK(s) + " " * (8 - len(s)) + " " * (8 - len(qs)) + c.K("NUMBER", qs) + " " * (12 - len(ps))
                    + c.K("NUMBER", ps) + " " * (16 - len(vs)) + c.K("NUMBER", vs))
    start = c.rdate("recent")
    return "\n".join([
        f"{b}  |  Monthly Statement",
        f"{c.P('NAME', cl.full.upper())}",
        f"{c.ADDR(cl, sep=chr(10))}",
        f"Account {c.acct()}  |  Period {c.P('DATE', c.fdate(start.replace(day=1), 'us'))} – {c.P('DATE', c.fdate(start.replace(day=28), 'us'))}",
        "",
        "Symbol       Qty       Price           Value",
    ] + rows + [
        f"Total securities: {c.money(total)}",
        f"Sweep: {c.IDX(c.pick(['Vanguard Federal Money Market Fund', 'Fidelity Government Money Market Fund', 'Schwab Value Advantage Money Fund']))} {c.money(c.r.uniform(200, 30000))}",
        f"Questions? Call your advisor. SIPC protection and {c.REG(value='Rule 15c3-3')} customer protection apply.",
    ])


def T31_short_locate(c):
    cl, trader = c.person(), c.person()
    sym = c.pick([s for s in STOCKS if s not in ONE_LETTER] + ["IWM", "XLE"])
    q = c.qty(500, 20000, 100)
    rate = round(c.r.uniform(0.25, 38), 2)
    return "\n".join([
        f"LOCATE REQUEST {c.letters(3)}{c.digits(6)}",
        f"Client acct: {c.acct()} ({c.N(cl)})",
        f"Symbol: {c.TK(sym)}   Qty: {c.num(q)}   Borrow rate: {c.pct(rate, 2)} {c.pick(['(GC)', '(HTB)', ''])}".rstrip(),
        f"Status: {c.pick(['APPROVED', 'PARTIAL', 'APPROVED'])} — locate valid through close, per {c.REG(value='Reg SHO')} {c.REG(value='Rule 203(b)')}",
        f"Requested by: {c.N(trader)} at {c.date('recent', fmt='us')} 08:{c.r.randint(10, 59)}",
        f"Close-out obligation if fail: {c.REG(value='Rule 204')} (T+{c.r.randint(4, 6)} for short sales).",
    ])


def T32_drip_chat(c):
    u = c.person()
    bot = c.pick(BOTS)
    syms = c.syms(DIVIDEND, 3)
    return (
        f"{c.N(u)}: Turn on dividend reinvestment for everything except {c.TK(syms[0])}. I want that cash.\n"
        f"{bot}: Sure. I've enabled DRIP for {c.TK(syms[1])} ({c.CO(syms[1])}) and {c.TK(syms[2])} ({c.CO(syms[2])}) in account {c.acct()}. "
        f"{c.TK(syms[0])} dividends (currently {c.money(c.pxv(syms[0]) * c.r.uniform(0.008, 0.012), dec=4)} per share quarterly) will go to your core position.\n"
        f"{c.N(u)}: will reinvested dividends still be taxable?\n"
        f"{bot}: Yes — reinvested dividends are taxable in the year paid and will appear on your {c.year(2024, 2025)} {c.REG(value='Form 1099-DIV')}. "
        f"Each reinvestment also creates a new tax lot."
    )


def T33_api_logs(c):
    cl = c.person()
    syms = c.syms(list(STOCKS), 2)
    aid = c.acct()
    ts = c.rdate("recent")
    iso = c.fdate(ts, "iso")
    q = c.qty(10, 900, 10)
    p = c.pxv(syms[0])
    lines = [
        f"{c.P('DATE', iso + 'T14:02:11.482Z')} INFO  api.gateway POST /v2/orders account={aid} symbol={c.TK(syms[0])} qty={c.num(q, comma=False)} side=buy type=limit px={c.K('NUMBER', f'{p:.2f}')}",
        f"{c.P('DATE', iso + 'T14:02:11.509Z')} WARN  risk.precheck concentration {c.TK(syms[0])} would reach {c.pct(c.r.uniform(21, 35), 1)} of equity (limit 20%) — override by advisor {c.EM(c.person())}",
        f"{c.P('DATE', iso + 'T14:02:11.733Z')} INFO  oms.router routed to {c.pick(['NSDQ', 'ARCA', 'IEX', 'NYSE'])} order_id={c.digits(12)}",
        f"{c.P('DATE', iso + 'T14:02:12.040Z')} INFO  oms.fill account={aid} {c.TK(syms[0])} filled {c.num(q, comma=False)} @ {c.K('NUMBER', f'{p:.2f}')}",
        f"{c.P('DATE', iso + 'T14:03:40.118Z')} INFO  notify.email sent fill confirmation to {c.EM(cl)}",
        f"{c.P('DATE', iso + 'T14:05:02.900Z')} INFO  api.gateway GET /v2/quotes?symbols={c.TK(syms[1])},{c.TK('SPY')} 200",
    ]
    return "\n".join(lines)


def T34_ipo_note(c):
    cl1, cl2, rep = c.person(), c.person(), c.person()
    lo = c.r.randint(14, 40)
    return "\n".join([
        f"New issue — indication of interest summary ({c.N(rep)})",
        f"Deal: {c.pick(['Cerulean Robotics', 'Harborlight Bio', 'Meadowlark Payments', 'Stonecrest Energy'])} IPO, range {c.money(lo, dec=2)}–{c.money(lo + 2, dec=2)}, "
        f"{c.num(c.r.randint(8, 30) * 1000000)} shares; comps trade at {c.num(round(c.r.uniform(4, 12), 1), comma=False)}x sales (vs. {c.IDX('Russell 2000')} median).",
        "",
        f"- {c.N(cl1)} ({c.acct()}): IOI {c.num(c.qty(200, 5000, 100))} sh; eligible — not a restricted person under {c.REG(value='FINRA Rule 5130')}.",
        f"- {c.N(cl2)} ({c.acct()}): IOI {c.num(c.qty(200, 5000, 100))} sh; spouse works at an underwriter — RESTRICTED, do not allocate.",
        "",
        f"Reminder: IOIs are non-binding; preliminary prospectus delivered to {c.EM(cl1)} and {c.EM(cl2)} on {c.date('recent', fmt='us')}.",
    ])


def T35_desk_chat(c):
    a, b, cl = c.person(), c.person(), c.person()
    s1, s2 = c.syms(WORD_TICKERS + ONE_LETTER, 2)
    q = c.qty(1000, 50000, 500)
    p = c.pxv(s1)
    t = c.r.randint(9, 15)
    return "\n".join([
        f"{t}:31 {c.F(a)}: working {c.num(q)} {c.TK(s1)} for {c.P('NAME', cl.last)} acct {c.acct()}, vwap benchmark",
        f"{t}:31 {c.F(b)}: {c.TK(s1)} {c.money(p)} bid, thin. {c.TK(s2)} also moving on the sector headline",
        f"{t}:33 {c.F(a)}: ok go {c.pct(c.pick([10, 15, 20]), 0)} of volume, limit {c.money(round(p * 1.004, 2))}",
        f"{t}:47 {c.F(b)}: done {c.num(q // 2)} avg {c.money(round(p * 1.001, 4), dec=4)}. want me to call {c.F(cl)} at {c.PH(cl)}?",
        f"{t}:48 {c.F(a)}: yes, and note the partial in the blotter. {c.IDX(c.pick(['S&P 500', 'Russell 2000', 'KBW Bank Index']))} just ticked down {c.pct(c.r.uniform(0.2, 0.9), 2)}",
    ])


def T36_tod_beneficiary(c):
    cl = c.person()
    b1, b2 = c.person(), c.person(last=cl.last)
    s1, s2 = c.pick([40, 50, 60, 75]), None
    s2 = 100 - s1
    return "\n".join([
        f"TOD REGISTRATION / BENEFICIARY DESIGNATION — processing summary",
        f"Account owner: {c.N(cl)}   Acct: {c.acct()}   State of residence: {c.ST(cl, full=True)}",
        f"Primary 1: {c.N(b1)}, DOB {c.DOB(b1, fmt='us')}, SSN {c.SSN(b1)}, share {c.pct(s1, 0)}",
        f"Primary 2: {c.N(b2)}, DOB {c.DOB(b2, fmt='us')}, SSN {c.SSN(b2)}, share {c.pct(s2, 0)}",
        f"Contingent: per stirpes",
        f"Holdings affected: {c.num(c.qty(100, 3000, 10))} {c.TK(c.pick(PERSON_COS))}, {c.num(c.qty(100, 3000, 10))} {c.TK(c.pick(EQUITY_ETFS))}",
        f"Form signed {c.date('recent', fmt='us')}; medallion not required. Registration follows the Uniform TOD Security Registration Act as adopted in the owner's state.",
        f"Processed by: {c.N(c.person())}",
    ])


TRADING_TEMPLATES = [v for k, v in sorted(globals().items()) if k.startswith("T") and k[1:3].isdigit() and callable(v)]


# ==========================================================================
# Driver
# ==========================================================================
def build_case(rng, decks, domain, tpl, max_attempts=400):
    last_reason = None
    for _ in range(max_attempts):
        c = Ctx(rng, domain, decks)
        text, spans = c.render(tpl(c))
        reason = validate(text, spans)
        if reason is None:
            return text, spans
        last_reason = reason
    raise RuntimeError(f"{tpl.__name__}: could not build a valid case ({last_reason})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=5077)
    ap.add_argument("--n", type=int, default=150, help="cases per domain")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.jsonl"))
    args = ap.parse_args()

    assert len(LEGAL_TEMPLATES) >= 30 and len(TRADING_TEMPLATES) >= 30
    rng = random.Random(args.seed)
    decks = Decks(rng)
    records = []
    for domain, prefix, templates in (("legal", "lb", LEGAL_TEMPLATES), ("trading", "tb", TRADING_TEMPLATES)):
        reps = args.n // len(templates)
        order = templates * reps + rng.sample(templates, args.n - reps * len(templates))
        rng.shuffle(order)
        for i, tpl in enumerate(order, 1):
            text, spans = build_case(rng, decks, domain, tpl)
            spans.sort()
            rec = {
                "id": f"{prefix}-{i:04d}",
                "domain": domain,
                "text": text,
                "pii": [{"start": s, "end": e, "label": lab} for s, e, cat, lab, _ in spans if cat == "pii"],
                "keep": [{"start": s, "end": e, "label": lab} for s, e, cat, lab, _ in spans if cat == "keep"],
            }
            records.append(rec)

    with open(args.out, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")

    # ---- re-read and re-check everything ----
    counts = defaultdict(Counter)
    citations = set()
    with open(args.out, encoding="utf-8") as fh:
        back = [json.loads(line) for line in fh]
    assert len(back) == 2 * args.n
    for rec in back:
        text = rec["text"]
        allsp = [(x["start"], x["end"], k, x["label"], text[x["start"]:x["end"]])
                 for k in ("pii", "keep") for x in rec[k]]
        assert validate(text, allsp) is None, rec["id"]
        for s, e, k, lab, val in allsp:
            assert val == text[s:e] and val.strip() == val
            counts[rec["domain"]][(k, lab)] += 1
            if lab == "CITATION" and " v. " in val:
                citations.add(val.split(",")[0] if not val.startswith("In re") else val.split(",")[0])
    assert len(citations) >= 80, len(citations)
    print(f"wrote {len(back)} cases to {args.out}")
    for dom in ("legal", "trading"):
        print(dom, sum(1 for r in back if r["domain"] == dom))
        for (k, lab), n in sorted(counts[dom].items()):
            print(f"  {k:4s} {lab:15s} {n}")
    print("distinct cited cases:", len(citations))


if __name__ == "__main__":
    main()
