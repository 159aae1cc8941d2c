#!/usr/bin/env python3
"""Generate held-out PII test cases for a legal assistant and a trading assistant.

Standard library only and deterministic for a given --seed (default 3031).
Writes cases.jsonl (one JSON object per line) next to this script unless --out is given.

Every labelled token is inserted through a span object, so offsets are computed while the
text is assembled; each case is then validated (exact slices, no overlaps, every other
occurrence of a labelled PII/ticker/company/citation string is also inside some span,
tool-call JSON parses).  A case that fails validation is re-drawn.
"""
import argparse
import datetime as dt
import json
import os
import random
import re
import textwrap

# ---------------------------------------------------------------------------- spans / doc


class Span:
    __slots__ = ("kind", "label", "text")

    def __init__(self, kind, label, text):
        assert kind in ("p", "k"), kind
        self.kind, self.label, self.text = kind, label, text


def P(label, text):
    return Span("p", label, text)


def K(label, text):
    return Span("k", label, text)


MARK = re.compile(r"<<(?:([pk]):([A-Z_]+):(.+?)|([A-Za-z_][\w.]*))>>", re.S)


def T(s):
    return textwrap.dedent(s).strip("\n")


def pieces(s):
    """Split a string with inline <<k:LABEL:text>> / <<p:LABEL:text>> markers into str/Span pieces."""
    out, pos = [], 0
    for m in MARK.finditer(s):
        assert not m.group(4), s
        out.append(s[pos:m.start()])
        out.append(Span(m.group(1), m.group(2), m.group(3)))
        pos = m.end()
    out.append(s[pos:])
    return out


def resolve(vals, name):
    parts = name.split(".")
    obj = vals[parts[0]]
    for a in parts[1:]:
        obj = obj[a] if isinstance(obj, dict) else getattr(obj, a)
    return obj


class Doc:
    def __init__(self):
        self.parts, self.n = [], 0
        self.pii, self.keep, self.json_ranges = [], [], []

    def raw(self, s):
        self.parts.append(s)
        self.n += len(s)

    def put(self, v):
        if v is None:
            return
        if isinstance(v, Span):
            assert v.text and v.text == v.text.strip(), repr(v.text)
            st = self.n
            self.raw(v.text)
            (self.pii if v.kind == "p" else self.keep).append(
                {"start": st, "end": self.n, "label": v.label})
        elif isinstance(v, str):
            self.raw(v)
        elif isinstance(v, (list, tuple)):
            for x in v:
                self.put(x)
        elif isinstance(v, (int, float)):
            self.raw(str(v))
        else:
            raise TypeError(type(v))

    def add(self, tmpl, **vals):
        pos = 0
        for m in MARK.finditer(tmpl):
            self.raw(tmpl[pos:m.start()])
            if m.group(4):
                self.put(resolve(vals, m.group(4)))
            else:
                self.put(Span(m.group(1), m.group(2), m.group(3)))
            pos = m.end()
        self.raw(tmpl[pos:])

    def add_json(self, tmpl, **vals):
        st = self.n
        self.add(tmpl, **vals)
        self.json_ranges.append((st, self.n))

    @property
    def text(self):
        return "".join(self.parts)


# ---------------------------------------------------------------------------- people / places

FIRST_M = ["James", "Michael", "Robert", "David", "Daniel", "Carlos", "Luis", "Jamal", "Andre", "Wei",
           "Hiroshi", "Rajesh", "Arjun", "Ahmed", "Omar", "Dmitri", "Tomasz", "Kofi", "Mateo", "Ethan",
           "Noah", "Liam", "Tyrone", "Brandon", "Kevin", "Samuel", "Patrick", "Sean", "Victor", "Hector",
           "Minh", "Jin-woo", "Darnell", "Gregory", "Trevor", "Malik", "Eduardo", "Yusuf", "Bogdan",
           "Thanh", "Desmond", "Felipe", "Connor", "Terrence", "Elliot", "Marcus", "Anthony", "Jorge",
           "Nikhil", "Kwame", "Graham", "Douglas"]
FIRST_F = ["Maria", "Jennifer", "Linda", "Patricia", "Aisha", "Fatima", "Mei", "Priya", "Ananya", "Sofia",
           "Valentina", "Keisha", "Latoya", "Emily", "Olivia", "Hannah", "Rachel", "Danielle", "Teresa",
           "Yolanda", "Ngozi", "Svetlana", "Ingrid", "Chloe", "Lucia", "Monique", "Tamika", "Rebecca",
           "Megan", "Naomi", "Leah", "Rosa", "Camila", "Elena", "Hye-jin", "Siobhan", "Adaeze", "Marisol",
           "Beatriz", "Ayesha", "Colleen", "Brianna", "Gabriela", "Xiaoling", "Renata", "Joanne",
           "Deborah", "Tatiana", "Imani", "Kathleen", "Madison", "Georgia"]
SURNAMES = ["Gonzalez", "Nguyen", "Okafor", "Patel", "Kowalski", "Haddad", "Schneider", "O'Brien",
            "Castillo", "Yamamoto", "Brennan", "Whitaker", "Delgado", "Abernathy", "Lindqvist", "Mbatha",
            "Romano", "Fitzpatrick", "Osei", "Chen", "Kim", "Singh", "Reyes", "Moreno", "Dubois", "Novak",
            "Petrov", "Harrington", "Callaway", "McAllister", "Thibodeaux", "Washington", "Jackson",
            "Brooks", "Coleman", "Jenkins", "Sullivan", "Bauer", "Hoffman", "Ferreira", "Santos", "Alvarez",
            "Baptiste", "Nakamura", "Rahman", "Farouk", "Adeyemi", "Lindgren", "Pruitt", "Vasquez",
            "Ortega", "Wu", "Zhang", "Tran", "Kaczmarek", "Oyelaran", "Sato", "Mendoza", "Greer",
            "Whitfield", "Donnelly", "Aguilar", "Hwang", "Iyer", "Kruger", "Lombardi", "Mahoney", "Nwosu",
            "Quintero", "Rasmussen", "Szabo", "Torres", "Underwood", "Villanueva", "Yilmaz", "Zielinski",
            "Ashworth", "Beaumont", "Carver", "Lincoln", "Madison", "Marshall", "Holmes"]

# (city, state, abbr, zip prefix)
CITIES = [
    ("Evanston", "Illinois", "IL", "602"), ("Naperville", "Illinois", "IL", "605"),
    ("Oak Park", "Illinois", "IL", "603"), ("Aurora", "Illinois", "IL", "605"),
    ("Austin", "Texas", "TX", "787"), ("Plano", "Texas", "TX", "750"), ("El Paso", "Texas", "TX", "799"),
    ("Sugar Land", "Texas", "TX", "774"), ("Lubbock", "Texas", "TX", "794"),
    ("Pasadena", "California", "CA", "911"), ("Oakland", "California", "CA", "946"),
    ("Fresno", "California", "CA", "937"), ("San Jose", "California", "CA", "951"),
    ("Santa Rosa", "California", "CA", "954"), ("Irvine", "California", "CA", "926"),
    ("Buffalo", "New York", "NY", "142"), ("Yonkers", "New York", "NY", "107"),
    ("Brooklyn", "New York", "NY", "112"), ("Ithaca", "New York", "NY", "148"),
    ("Tampa", "Florida", "FL", "336"), ("Orlando", "Florida", "FL", "328"),
    ("Boca Raton", "Florida", "FL", "334"), ("Gainesville", "Florida", "FL", "326"),
    ("Jackson", "Mississippi", "MS", "392"), ("Madison", "Wisconsin", "WI", "537"),
    ("Lincoln", "Nebraska", "NE", "685"), ("Omaha", "Nebraska", "NE", "681"),
    ("Dayton", "Ohio", "OH", "454"), ("Columbus", "Ohio", "OH", "432"), ("Akron", "Ohio", "OH", "443"),
    ("Ann Arbor", "Michigan", "MI", "481"), ("Grand Rapids", "Michigan", "MI", "495"),
    ("Tacoma", "Washington", "WA", "984"), ("Spokane", "Washington", "WA", "992"),
    ("Bellevue", "Washington", "WA", "980"), ("Boise", "Idaho", "ID", "837"),
    ("Tucson", "Arizona", "AZ", "857"), ("Mesa", "Arizona", "AZ", "852"),
    ("Boulder", "Colorado", "CO", "803"), ("Fort Collins", "Colorado", "CO", "805"),
    ("Savannah", "Georgia", "GA", "314"), ("Decatur", "Georgia", "GA", "300"),
    ("Durham", "North Carolina", "NC", "277"), ("Asheville", "North Carolina", "NC", "288"),
    ("Charleston", "South Carolina", "SC", "294"), ("Knoxville", "Tennessee", "TN", "379"),
    ("Chattanooga", "Tennessee", "TN", "374"), ("Louisville", "Kentucky", "KY", "402"),
    ("Lexington", "Kentucky", "KY", "405"), ("Richmond", "Virginia", "VA", "232"),
    ("Norfolk", "Virginia", "VA", "235"), ("Baltimore", "Maryland", "MD", "212"),
    ("Silver Spring", "Maryland", "MD", "209"), ("Newark", "New Jersey", "NJ", "071"),
    ("Hoboken", "New Jersey", "NJ", "070"), ("Cambridge", "Massachusetts", "MA", "021"),
    ("Worcester", "Massachusetts", "MA", "016"), ("Providence", "Rhode Island", "RI", "029"),
    ("Hartford", "Connecticut", "CT", "061"), ("Stamford", "Connecticut", "CT", "069"),
    ("Pittsburgh", "Pennsylvania", "PA", "152"), ("Allentown", "Pennsylvania", "PA", "181"),
    ("Scranton", "Pennsylvania", "PA", "185"), ("Portland", "Oregon", "OR", "972"),
    ("Eugene", "Oregon", "OR", "974"), ("Reno", "Nevada", "NV", "895"), ("Henderson", "Nevada", "NV", "890"),
    ("Albuquerque", "New Mexico", "NM", "871"), ("Des Moines", "Iowa", "IA", "503"),
    ("Wichita", "Kansas", "KS", "672"), ("Tulsa", "Oklahoma", "OK", "741"),
    ("Baton Rouge", "Louisiana", "LA", "708"), ("Birmingham", "Alabama", "AL", "352"),
    ("Little Rock", "Arkansas", "AR", "722"), ("Salt Lake City", "Utah", "UT", "841"),
    ("Burlington", "Vermont", "VT", "054"), ("Anchorage", "Alaska", "AK", "995"),
    ("Honolulu", "Hawaii", "HI", "968"), ("Minneapolis", "Minnesota", "MN", "554"),
    ("Duluth", "Minnesota", "MN", "558"), ("Wilmington", "Delaware", "DE", "198"),
]
STATE_BY_ABBR = {}
for _c in CITIES:
    STATE_BY_ABBR[_c[2]] = _c[1]

STREET_NAMES = ["Maple", "Oak", "Cedar", "Elm", "Willow", "Lakeview", "Hillcrest", "Sunset", "Park",
                "Washington", "Lincoln", "Jefferson", "Franklin", "Highland", "Ridge", "Meadow", "Birch",
                "Magnolia", "Pecan", "Juniper", "Sycamore", "Chestnut", "Walnut", "Poplar", "Aspen",
                "Laurel", "Prospect", "Grand", "Main", "Church", "Mill", "Spring", "River", "Orchard",
                "Harbor", "Bayview", "Kingsley", "Delaware", "Cherokee", "Fairmount", "Linden",
                "Greenwood", "Wabash", "Montrose", "Stonebridge", "Foxhall", "Quarry", "Tamarack"]
STREET_TYPES = ["St.", "Street", "Ave.", "Avenue", "Blvd", "Rd.", "Road", "Dr.", "Drive", "Ln.", "Lane",
                "Ct.", "Way", "Pl.", "Terrace", "Pkwy"]
AREA = ["212", "312", "415", "617", "713", "206", "404", "305", "602", "303", "503", "215", "412", "614",
        "919", "704", "615", "502", "804", "410", "973", "860", "702", "505", "515", "316", "918", "225",
        "205", "501", "801", "802", "907", "808", "248", "616", "608", "402", "937", "330", "734", "253",
        "509", "208", "520", "480", "720", "912", "828", "843", "865", "423", "859", "757", "301", "201",
        "401", "203", "570", "610", "541", "775", "310", "818", "949", "408", "707", "559", "510", "716",
        "914", "718", "607", "813", "407", "561", "352", "612", "218", "302"]
PERSONAL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "proton.me",
                    "aol.com", "comcast.net", "att.net", "me.com"]
LAW_DOMAINS = ["lakeshorelegal.com", "meridiantrial.com", "cobaltemploymentlaw.com", "northstarinjury.com",
               "granitepeaklaw.com", "harborviewlegal.com", "riverbenddefense.com"]
BROKER_DOMAINS = ["northfieldsecurities.com", "harborlinewealth.com", "summitcrestadvisors.com",
                  "bluewaterbrokerage.com"]
FIRM_DOMAIN = {"Northfield Securities": "northfieldsecurities.com", "Harborline Brokerage": "harborlinewealth.com",
               "Summit Crest Advisors": "summitcrestadvisors.com", "Bluewater Brokerage": "bluewaterbrokerage.com"}

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
MON_ABBR = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DATE_STYLES = ["long", "abbr", "us", "us2", "usy", "iso", "dmy", "dmy_abbr", "ord", "wd", "md"]
DATE_WEIGHTS = [30, 9, 12, 12, 5, 8, 6, 4, 3, 5, 6]


def ordinal(n):
    suf = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suf}"


def fmt_date(d, style):
    M = MONTHS[d.month - 1]
    return {
        "long": f"{M} {d.day}, {d.year}",
        "abbr": f"{MON_ABBR[d.month - 1]} {d.day}, {d.year}",
        "us": f"{d.month}/{d.day}/{d.year}",
        "us2": f"{d.month:02d}/{d.day:02d}/{d.year}",
        "usy": f"{d.month}/{d.day}/{d.year % 100:02d}",
        "iso": d.isoformat(),
        "dmy": f"{d.day} {M} {d.year}",
        "dmy_abbr": f"{d.day:02d}-{M[:3]}-{d.year}",
        "ord": f"{ordinal(d.day)} of {M}, {d.year}",
        "wd": f"{WEEKDAYS[d.weekday()]}, {M} {d.day}, {d.year}",
        "md": f"{M} {d.day}",
        "caps": f"{M[:3].upper()} {d.day:02d} {d.year}",
    }[style]


class Person:
    def __init__(self, g, first=None, last=None, gender=None, mi=None):
        r = g.r
        self.g = g
        self.gender = gender or (r.choice("MF") if first is None else
                                 ("F" if first in FIRST_F else "M"))
        self.f = first or r.choice(FIRST_M if self.gender == "M" else FIRST_F)
        self.l = last or g.fresh_surname()
        g.used_surnames.append(self.l)
        if mi is None:
            mi = r.choice("ABCDEFGHJKLMNPRSTW") if r.random() < 0.18 else ""
        self.mi = mi
        self._email = self._phone = self._dob = self._ssn = None

    @property
    def full_s(self):
        return f"{self.f} {self.mi}. {self.l}" if self.mi else f"{self.f} {self.l}"

    full = property(lambda s: P("NAME", s.full_s))
    first = property(lambda s: P("NAME", s.f))
    last = property(lambda s: P("NAME", s.l))
    upper = property(lambda s: P("NAME", s.full_s.upper()))
    lower = property(lambda s: P("NAME", f"{s.f} {s.l}".lower()))
    first_lc = property(lambda s: P("NAME", s.f.lower()))
    lf = property(lambda s: P("NAME", f"{s.l}, {s.f}" + (f" {s.mi}." if s.mi else "")))
    mr = property(lambda s: "Mr." if s.gender == "M" else "Ms.")
    he = property(lambda s: "he" if s.gender == "M" else "she")
    He = property(lambda s: "He" if s.gender == "M" else "She")
    him = property(lambda s: "him" if s.gender == "M" else "her")
    his = property(lambda s: "his" if s.gender == "M" else "her")

    @property
    def email(self):
        if self._email is None:
            self._email = self.g.email_for(self)
        return self._email

    def wemail(self, domain):
        self._email = self.g.email_for(self, domain)
        return self._email

    @property
    def phone(self):
        if self._phone is None:
            self._phone = self.g.phone()
        return self._phone

    @property
    def dob(self):
        if self._dob is None:
            self._dob = self.g.dob()
        return self._dob

    def set_dob(self, y0, y1):
        self._dob = self.g.date(d=self.g.day(y0, y1))
        return self._dob

    @property
    def ssn(self):
        if self._ssn is None:
            self._ssn = self.g.ssn()
        return self._ssn


class Addr:
    def __init__(self, g, state=None, unit=None):
        r = g.r
        cands = [c for c in CITIES if state in (None, c[1], c[2])] or CITIES
        city, sfull, sabbr, zpre = r.choice(cands)
        self.city_s, self.sfull, self.sabbr = city, sfull, sabbr
        num = r.choice([str(r.randint(10, 99)), str(r.randint(100, 999)), str(r.randint(1000, 9999)),
                        str(r.randint(10000, 29999))])
        pre = r.choice(["", "", "", "", "N. ", "S. ", "W. ", "E. ", "NE ", "SW "])
        street = f"{num} {pre}{r.choice(STREET_NAMES)} {r.choice(STREET_TYPES)}"
        if unit or (unit is None and r.random() < 0.3):
            street += r.choice([f", Apt {r.randint(1, 30)}{r.choice('ABCD')}", f", Unit {r.randint(100, 999)}",
                                f" #{r.randint(2, 40)}", f", Apt. {r.randint(1, 12)}",
                                f", Suite {r.randint(100, 1800)}"])
        self.street = P("STREET_ADDRESS", street)
        self.city = P("CITY", city)
        self.state_full = K("STATE", sfull)
        self.state_abbr = K("STATE", sabbr)
        self.state = self.state_full if r.random() < 0.4 else self.state_abbr
        z = zpre + f"{r.randint(0, 99):02d}"
        if r.random() < 0.2:
            z += f"-{r.randint(1000, 9999)}"
        self.zip = P("POSTAL_CODE", z)
        self.line = [self.street, ", ", self.city, ", ", self.state, " ", self.zip]
        self.block = [self.street, "\n", self.city, ", ", self.state, " ", self.zip]
        self.cityst = [self.city, ", ", self.state]


# ---------------------------------------------------------------------------- legal data

# key: (case name, reporter cite, parenthetical, short name, proposition, private-looking party, pins)
CASES = {
    "iqbal": ("Ashcroft v. Iqbal", "556 U.S. 662", "(2009)", "Iqbal",
              "a complaint must plead facts that make the claim plausible, not merely conceivable", None, [678]),
    "twombly": ("Bell Atlantic Corp. v. Twombly", "550 U.S. 544", "(2007)", "Twombly",
                "labels and conclusions will not survive a motion to dismiss", None, [570, 555]),
    "celotex": ("Celotex Corp. v. Catrett", "477 U.S. 317", "(1986)", "Celotex",
                "the movant may carry its burden by pointing to an absence of evidence", "Catrett", [322, 323, 325]),
    "anderson": ("Anderson v. Liberty Lobby, Inc.", "477 U.S. 242", "(1986)", "Anderson",
                 "a dispute is genuine only if a reasonable jury could return a verdict for the nonmovant",
                 "Anderson", [248, 255]),
    "matsushita": ("Matsushita Elec. Indus. Co. v. Zenith Radio Corp.", "475 U.S. 574", "(1986)", "Matsushita",
                   "the nonmovant must do more than show some metaphysical doubt as to the material facts",
                   None, [586]),
    "erie": ("Erie R.R. Co. v. Tompkins", "304 U.S. 64", "(1938)", "Erie",
             "federal courts sitting in diversity apply state substantive law", "Tompkins", [78]),
    "hickman": ("Hickman v. Taylor", "329 U.S. 495", "(1947)", "Hickman",
                "materials prepared by counsel in anticipation of litigation are protected work product",
                "Taylor", [510, 511]),
    "upjohn": ("Upjohn Co. v. United States", "449 U.S. 383", "(1981)", "Upjohn",
               "the privilege covers employee communications made at counsel's direction to secure legal advice",
               None, [394, 395]),
    "zubulake": ("Zubulake v. UBS Warburg LLC", "217 F.R.D. 309", "(S.D.N.Y. 2003)", "Zubulake",
                 "the duty to preserve attaches once litigation is reasonably anticipated", "Zubulake", [318]),
    "marbury": ("Marbury v. Madison", "5 U.S. (1 Cranch) 137", "(1803)", "Marbury",
                "it is emphatically the province of the judicial department to say what the law is",
                "Marbury", [177]),
    "intlshoe": ("International Shoe Co. v. Washington", "326 U.S. 310", "(1945)", "Int'l Shoe",
                 "due process requires minimum contacts with the forum", None, [316]),
    "daimler": ("Daimler AG v. Bauman", "571 U.S. 117", "(2014)", "Daimler",
                "general jurisdiction over a corporation exists only where it is essentially at home",
                "Bauman", [137, 139]),
    "goodyear": ("Goodyear Dunlop Tires Operations, S.A. v. Brown", "564 U.S. 915", "(2011)", "Goodyear",
                 "a subsidiary is not subject to general jurisdiction merely because its products reach the forum",
                 "Brown", [919, 929]),
    "wwv": ("World-Wide Volkswagen Corp. v. Woodson", "444 U.S. 286", "(1980)", "World-Wide Volkswagen",
            "the defendant must reasonably anticipate being haled into court in the forum", "Woodson", [297]),
    "mcdonnell": ("McDonnell Douglas Corp. v. Green", "411 U.S. 792", "(1973)", "McDonnell Douglas",
                  "circumstantial discrimination claims proceed under a burden-shifting framework", "Green", [802, 804]),
    "harris": ("Harris v. Forklift Systems, Inc.", "510 U.S. 17", "(1993)", "Harris",
               "a hostile environment need not cause psychological injury to be actionable", "Harris", [21, 22]),
    "meritor": ("Meritor Savings Bank, FSB v. Vinson", "477 U.S. 57", "(1986)", "Meritor",
                "harassment that creates a hostile environment violates <<k:LEGAL_TERM:Title VII>>", "Vinson", [64, 67]),
    "ellerth": ("Burlington Industries, Inc. v. Ellerth", "524 U.S. 742", "(1998)", "Ellerth",
                "employers are vicariously liable for supervisor harassment, subject to an affirmative defense",
                "Ellerth", [765]),
    "faragher": ("Faragher v. City of Boca Raton", "524 U.S. 775", "(1998)", "Faragher",
                 "the employer may show it exercised reasonable care and the employee unreasonably failed to complain",
                 "Faragher", [807]),
    "bostock": ("Bostock v. Clayton County", "590 U.S. 644", "(2020)", "Bostock",
                "firing an employee for being gay or transgender is discrimination because of sex", "Bostock", [660]),
    "tyson": ("Tyson Foods, Inc. v. Bouaphakeo", "577 U.S. 442", "(2016)", "Tyson Foods",
              "representative evidence may be used to prove hours worked in a wage case", "Bouaphakeo", [454, 456]),
    "mtclemens": ("Anderson v. Mt. Clemens Pottery Co.", "328 U.S. 680", "(1946)", "Mt. Clemens",
                  "when employer records are inadequate, hours may be shown by just and reasonable inference",
                  "Anderson", [687]),
    "digital": ("Digital Realty Trust, Inc. v. Somers", "583 U.S. 149", "(2018)", "Digital Realty",
                "the <<k:LEGAL_TERM:Dodd-Frank>> anti-retaliation provision protects only those who reported to the SEC",
                "Somers", [160, 165]),
    "edwards": ("Edwards v. Arthur Andersen LLP", "44 Cal. 4th 937", "(2008)", "Edwards",
                "California voids even narrowly drawn employee noncompetition agreements", "Edwards", [950]),
    "miranda": ("Miranda v. Arizona", "384 U.S. 436", "(1966)", "Miranda",
                "custodial interrogation must be preceded by warnings", "Miranda", [444, 467]),
    "berghuis": ("Berghuis v. Thompkins", "560 U.S. 370", "(2010)", "Berghuis",
                 "a suspect must invoke the right to remain silent unambiguously", "Thompkins", [381, 382]),
    "gideon": ("Gideon v. Wainwright", "372 U.S. 335", "(1963)", "Gideon",
               "indigent felony defendants are entitled to appointed counsel", "Wainwright", [344]),
    "terry": ("Terry v. Ohio", "392 U.S. 1", "(1968)", "Terry",
              "a brief investigatory stop requires reasonable, articulable suspicion", "Terry", [21, 27, 30]),
    "mapp": ("Mapp v. Ohio", "367 U.S. 643", "(1961)", "Mapp",
             "the exclusionary rule applies in state prosecutions", "Mapp", [655]),
    "katz": ("Katz v. United States", "389 U.S. 347", "(1967)", "Katz",
             "the <<k:LEGAL_TERM:Fourth Amendment>> protects people, not places", "Katz", [351]),
    "carpenter": ("Carpenter v. United States", "585 U.S. 296", "(2018)", "Carpenter",
                  "the government generally needs a warrant for historical cell-site location records",
                  "Carpenter", [316]),
    "riley": ("Riley v. California", "573 U.S. 373", "(2014)", "Riley",
              "police generally need a warrant to search a cell phone seized incident to arrest", "Riley", [403]),
    "brady": ("Brady v. Maryland", "373 U.S. 83", "(1963)", "Brady",
              "suppressing material exculpatory evidence violates due process", "Brady", [87]),
    "giglio": ("Giglio v. United States", "405 U.S. 150", "(1972)", "Giglio",
               "impeachment evidence about government witnesses must be disclosed", "Giglio", [154, 155]),
    "strickland": ("Strickland v. Washington", "466 U.S. 668", "(1984)", "Strickland",
                   "ineffective assistance requires deficient performance and resulting prejudice",
                   "Strickland", [687, 694]),
    "batson": ("Batson v. Kentucky", "476 U.S. 79", "(1986)", "Batson",
               "peremptory strikes may not be exercised on the basis of race", "Batson", [89, 96]),
    "flowers": ("Flowers v. Mississippi", "588 U.S. 284", "(2019)", "Flowers",
                "a history of race-based strikes is relevant to a <<k:LEGAL_TERM:Batson>> inquiry", "Flowers", [301]),
    "allen": ("Allen v. United States", "164 U.S. 492", "(1896)", "Allen",
              "a court may encourage a deadlocked jury to keep deliberating", "Allen", [501]),
    "gault": ("In re Gault", "387 U.S. 1", "(1967)", "Gault",
              "juveniles in delinquency proceedings are entitled to notice, counsel, and confrontation",
              None, [33, 41, 55]),
    "jdb": ("J.D.B. v. North Carolina", "564 U.S. 261", "(2011)", "J.D.B.",
            "a child's age informs the <<k:LEGAL_TERM:Miranda>> custody analysis", None, [277]),
    "vanburen": ("Van Buren v. United States", "593 U.S. 374", "(2021)", "Van Buren",
                 "the exceeds-authorized-access clause asks whether one may enter the part of the system at all",
                 "Van Buren", [396]),
    "nosal": ("United States v. Nosal", "676 F.3d 854", "(9th Cir. 2012) (en banc)", "Nosal",
              "violating a use restriction is not exceeding authorized access", "Nosal", [863]),
    "graham": ("Graham v. Connor", "490 U.S. 386", "(1989)", "Graham",
               "excessive force claims are judged by objective reasonableness", "Connor", [396, 397]),
    "garner": ("Tennessee v. Garner", "471 U.S. 1", "(1985)", "Garner",
               "deadly force may not be used against a fleeing suspect who poses no significant threat",
               "Garner", [11]),
    "monell": ("Monell v. Department of Social Services", "436 U.S. 658", "(1978)", "Monell",
               "a municipality is liable only for its own policy or custom", "Monell", [694]),
    "harlow": ("Harlow v. Fitzgerald", "457 U.S. 800", "(1982)", "Harlow",
               "officials are shielded unless they violate clearly established rights", "Fitzgerald", [818]),
    "pearson": ("Pearson v. Callahan", "555 U.S. 223", "(2009)", "Pearson",
                "courts may decide either qualified-immunity prong first", "Callahan", [236]),
    "brown": ("Brown v. Board of Education", "347 U.S. 483", "(1954)", "Brown",
              "separate educational facilities are inherently unequal", "Brown", [495]),
    "roe": ("Roe v. Wade", "410 U.S. 113", "(1973)", "Roe",
            "the Constitution protected a right to terminate a pregnancy before viability", "Wade", [153, 164]),
    "dobbs": ("Dobbs v. Jackson Women's Health Organization", "597 U.S. 215", "(2022)", "Dobbs",
              "the Constitution does not confer a right to abortion", "Dobbs", [231, 302]),
    "palsgraf": ("Palsgraf v. Long Island R.R. Co.", "248 N.Y. 339", "(1928)", "Palsgraf",
                 "a duty of care runs only to foreseeable plaintiffs", "Palsgraf", [344]),
    "macpherson": ("MacPherson v. Buick Motor Co.", "217 N.Y. 382", "(1916)", "MacPherson",
                   "a manufacturer owes a duty of care to remote purchasers", "MacPherson", [389]),
    "summers": ("Summers v. Tice", "33 Cal. 2d 80", "(1948)", "Summers",
                "the burden shifts to negligent defendants when the plaintiff cannot tell which one caused the harm",
                "Tice", [86]),
    "li": ("Li v. Yellow Cab Co.", "13 Cal. 3d 804", "(1975)", "Li",
           "California follows pure comparative negligence", "Li", [829]),
    "greenman": ("Greenman v. Yuba Power Products, Inc.", "59 Cal. 2d 57", "(1963)", "Greenman",
                 "a manufacturer is strictly liable in tort for a defective product", "Greenman", [62]),
    "escola": ("Escola v. Coca Cola Bottling Co.", "24 Cal. 2d 453", "(1944)", "Escola",
               "res ipsa loquitur may apply to an exploding bottle", "Escola", [461]),
    "rowland": ("Rowland v. Christian", "69 Cal. 2d 108", "(1968)", "Rowland",
                "a possessor's duty turns on ordinary negligence factors rather than the entrant's status",
                "Christian", [119]),
    "tarasoff": ("Tarasoff v. Regents of University of California", "17 Cal. 3d 425", "(1976)", "Tarasoff",
                 "a therapist must take reasonable steps to protect a foreseeable victim", "Tarasoff", [431]),
    "carroll": ("United States v. Carroll Towing Co.", "159 F.2d 169", "(2d Cir. 1947)", "Carroll Towing",
                "negligence turns on whether the burden of precaution is less than the probability times the loss",
                None, [173]),
    "daubert": ("Daubert v. Merrell Dow Pharmaceuticals, Inc.", "509 U.S. 579", "(1993)", "Daubert",
                "the trial judge acts as gatekeeper for expert testimony", "Daubert", [589, 593]),
    "kumho": ("Kumho Tire Co. v. Carmichael", "526 U.S. 137", "(1999)", "Kumho Tire",
              "the gatekeeping obligation applies to all expert testimony", "Carmichael", [147, 152]),
    "hadley": ("Hadley v. Baxendale", "9 Ex. 341", "(1854)", "Hadley",
               "consequential damages must have been within the contemplation of both parties", "Baxendale", [354]),
    "lucy": ("Lucy v. Zehmer", "196 Va. 493", "(1954)", "Lucy",
             "contract formation is judged by outward expressions, not secret intent", "Zehmer", [503]),
    "hawkins": ("Hawkins v. McGee", "84 N.H. 114", "(1929)", "Hawkins",
                "expectation damages put the plaintiff where full performance would have", "McGee", [117]),
    "williams": ("Williams v. Walker-Thomas Furniture Co.", "350 F.2d 445", "(D.C. Cir. 1965)", "Williams",
                 "grossly unfair terms may be unenforceable as unconscionable", "Williams", [449]),
    "procd": ("ProCD, Inc. v. Zeidenberg", "86 F.3d 1447", "(7th Cir. 1996)", "ProCD",
              "shrinkwrap licenses are enforceable unless objectionable on general contract grounds",
              "Zeidenberg", [1449]),
    "specht": ("Specht v. Netscape Communications Corp.", "306 F.3d 17", "(2d Cir. 2002)", "Specht",
               "users are not bound by terms they had no reasonable notice of", "Specht", [35]),
    "feldman": ("Feldman v. Google, Inc.", "513 F. Supp. 2d 229", "(E.D. Pa. 2007)", "Feldman",
                "clickwrap terms were enforceable where the user had to click to agree", "Feldman", [236]),
    "hines": ("Hines v. Overstock.com, Inc.", "668 F. Supp. 2d 362", "(E.D.N.Y. 2009)", "Hines",
              "browsewrap terms without actual or constructive notice are unenforceable", "Hines", [367]),
    "basic": ("Basic Inc. v. Levinson", "485 U.S. 224", "(1988)", "Basic",
              "reliance may be presumed under the fraud-on-the-market theory", "Levinson", [241, 247]),
    "dura": ("Dura Pharmaceuticals, Inc. v. Broudo", "544 U.S. 336", "(2005)", "Dura",
             "plaintiffs must plead and prove loss causation", "Broudo", [346]),
    "tellabs": ("Tellabs, Inc. v. Makor Issues & Rights, Ltd.", "551 U.S. 308", "(2007)", "Tellabs",
                "an inference of scienter must be at least as compelling as any opposing inference", None, [324]),
    "caremark": ("In re Caremark Int'l Inc. Derivative Litig.", "698 A.2d 959", "(Del. Ch. 1996)", "Caremark",
                 "directors must make a good-faith effort to implement an oversight system", None, [970]),
    "vangorkom": ("Smith v. Van Gorkom", "488 A.2d 858", "(Del. 1985)", "Van Gorkom",
                  "directors breach the duty of care by approving a merger without adequate information",
                  "Van Gorkom", [872]),
    "revlon": ("Revlon, Inc. v. MacAndrews & Forbes Holdings, Inc.", "506 A.2d 173", "(Del. 1986)", "Revlon",
               "once a sale is inevitable the board must seek the best price reasonably available", None, [182]),
    "dirks": ("Dirks v. SEC", "463 U.S. 646", "(1983)", "Dirks",
              "tippee liability derives from the insider's breach of duty", "Dirks", [659, 662]),
    "salman": ("Salman v. United States", "580 U.S. 39", "(2016)", "Salman",
               "a gift of inside information to a relative satisfies the personal-benefit test", "Salman", [52]),
    "chevron": ("Chevron U.S.A., Inc. v. Natural Resources Defense Council, Inc.", "467 U.S. 837", "(1984)",
                "Chevron", "courts deferred to reasonable agency interpretations of ambiguous statutes", None,
                [842, 843]),
    "loper": ("Loper Bright Enterprises v. Raimondo", "603 U.S. 369", "(2024)", "Loper Bright",
              "courts must exercise independent judgment in deciding whether an agency acted within its authority",
              "Raimondo", [412, 413]),
    "hiq": ("hiQ Labs, Inc. v. LinkedIn Corp.", "31 F.4th 1180", "(9th Cir. 2022)", "hiQ",
            "scraping publicly available profiles likely is not access without authorization", None, [1199]),
    "zeran": ("Zeran v. America Online, Inc.", "129 F.3d 327", "(4th Cir. 1997)", "Zeran",
              "<<k:LEGAL_TERM:Section 230>> bars claims treating a platform as the publisher of third-party content", "Zeran", [330]),
    "kremen": ("Kremen v. Cohen", "337 F.3d 1024", "(9th Cir. 2003)", "Kremen",
               "a domain name is intangible property that can be converted", "Cohen", [1030]),
    "rosenbach": ("Rosenbach v. Six Flags Entertainment Corp.", "2019 IL 123186", "", "Rosenbach",
                  "a plaintiff need not allege actual harm beyond the statutory violation", "Rosenbach", None),
    "cothron": ("Cothron v. White Castle System, Inc.", "2023 IL 128004", "", "Cothron",
                "a separate claim accrues with each scan or transmission", "Cothron", None),
    "polaroid": ("Polaroid Corp. v. Polarad Elecs. Corp.", "287 F.2d 492", "(2d Cir. 1961)", "Polaroid",
                 "likelihood of confusion is weighed under a multi-factor test", None, [495]),
    "twopesos": ("Two Pesos, Inc. v. Taco Cabana, Inc.", "505 U.S. 763", "(1992)", "Two Pesos",
                 "inherently distinctive trade dress is protectable without secondary meaning", None, [776]),
    "hill": ("Hill v. Lockhart", "474 U.S. 52", "(1985)", "Hill",
             "a defendant challenging a plea must show he would have insisted on going to trial", "Lockhart", [59]),
    "stowers": ("G.A. Stowers Furniture Co. v. American Indemnity Co.", "15 S.W.2d 544",
                "(Tex. Comm'n App. 1929)", "Stowers",
                "an insurer that rejects a reasonable policy-limits demand may be liable for the excess judgment",
                None, [547]),
}
PARTY_KEYS = [k for k, v in CASES.items()
              if v[5] and k not in ("rosenbach", "cothron", "vanburen", "vangorkom")]


class Case:
    def __init__(self, g, key):
        name, rep, paren, short, prop, party, pins = CASES[key]
        r = g.r
        if key == "chevron" and r.random() < 0.5:
            name = "Chevron U.S.A., Inc. v. NRDC"
        self.key, self.party, self.prop = key, party, pieces(prop)
        vol, reporter, page = re.match(r"^(\d+) (.+) (\d+)$", rep).groups()
        pin = r.choice(pins) if pins else int(page) + r.randint(2, 25)
        pin2 = pin + r.randint(0, 2)
        tail = f" {paren}" if paren else ""
        if paren and paren[1:-1].isdigit() and r.random() < 0.15:
            self.full = K("CITATION", f"{name}, {rep}")  # informal cite without the year
        else:
            self.full = K("CITATION", f"{name}, {rep}{tail}")
        self.nm = K("CITATION", name)
        self.short_name = K("CITATION", short)
        if reporter == "IL":
            para = r.randint(20, 45)
            self.sh = K("CITATION", f"{short}, {rep}, ¶ {para}")
            self.pinfull = K("CITATION", f"{name}, {rep}, ¶ {para}")
            self.idat = K("CITATION", f"Id. ¶ {para + 2}")
            self.bare = K("CITATION", f"{rep}, ¶ {para + 2}")
        else:
            rs = re.sub(r" \(.*?\)", "", reporter)
            self.sh = K("CITATION", f"{short}, {vol} {rs} at {pin}")
            self.bare = K("CITATION", f"{vol} {rs} at {pin2}")
            self.pinfull = K("CITATION", f"{name}, {rep}, {pin}{tail}")
            self.idat = K("CITATION", f"Id. at {pin2}")
        self.id_ = K("CITATION", "Id.")


# (abbr, full name, circuit, state abbr)
COURTS = [
    ("S.D.N.Y.", "the Southern District of New York", "the Second Circuit", "NY"),
    ("E.D.N.Y.", "the Eastern District of New York", "the Second Circuit", "NY"),
    ("N.D. Cal.", "the Northern District of California", "the Ninth Circuit", "CA"),
    ("C.D. Cal.", "the Central District of California", "the Ninth Circuit", "CA"),
    ("N.D. Ill.", "the Northern District of Illinois", "the Seventh Circuit", "IL"),
    ("E.D. Pa.", "the Eastern District of Pennsylvania", "the Third Circuit", "PA"),
    ("W.D. Pa.", "the Western District of Pennsylvania", "the Third Circuit", "PA"),
    ("D. Mass.", "the District of Massachusetts", "the First Circuit", "MA"),
    ("S.D. Tex.", "the Southern District of Texas", "the Fifth Circuit", "TX"),
    ("W.D. Tex.", "the Western District of Texas", "the Fifth Circuit", "TX"),
    ("W.D. Wash.", "the Western District of Washington", "the Ninth Circuit", "WA"),
    ("N.D. Ga.", "the Northern District of Georgia", "the Eleventh Circuit", "GA"),
    ("D.N.J.", "the District of New Jersey", "the Third Circuit", "NJ"),
    ("E.D. Va.", "the Eastern District of Virginia", "the Fourth Circuit", "VA"),
    ("D. Colo.", "the District of Colorado", "the Tenth Circuit", "CO"),
    ("M.D. Fla.", "the Middle District of Florida", "the Eleventh Circuit", "FL"),
    ("S.D. Fla.", "the Southern District of Florida", "the Eleventh Circuit", "FL"),
    ("E.D. Mich.", "the Eastern District of Michigan", "the Sixth Circuit", "MI"),
    ("D. Minn.", "the District of Minnesota", "the Eighth Circuit", "MN"),
    ("S.D. Ohio", "the Southern District of Ohio", "the Sixth Circuit", "OH"),
    ("D. Ariz.", "the District of Arizona", "the Ninth Circuit", "AZ"),
    ("D. Md.", "the District of Maryland", "the Fourth Circuit", "MD"),
]
CIRCUIT_SHORT = {"the First Circuit": "1st Cir.", "the Second Circuit": "2d Cir.", "the Third Circuit": "3d Cir.",
                 "the Fourth Circuit": "4th Cir.", "the Fifth Circuit": "5th Cir.", "the Sixth Circuit": "6th Cir.",
                 "the Seventh Circuit": "7th Cir.", "the Eighth Circuit": "8th Cir.",
                 "the Ninth Circuit": "9th Cir.", "the Tenth Circuit": "10th Cir.",
                 "the Eleventh Circuit": "11th Cir."}


class Court:
    def __init__(self, rec):
        self.abbr = K("COURT", rec[0])
        self.full = K("COURT", rec[1])
        self.circuit = K("COURT", rec[2])
        self.circ_short = K("COURT", CIRCUIT_SHORT[rec[2]])
        self.bankr = K("COURT", "Bankr. " + rec[0])
        self.st = rec[3]
        self.abbr_s = rec[0]


EMPLOYERS = ["Brightline Logistics", "Copperleaf Senior Living LLC", "Northgate Freight Company",
             "Summit Ridge Dental Group", "Bayside Fulfillment LLC", "Crescent Hospitality Group",
             "Pinnacle Home Health", "Tri-County Auto Parts", "Meridian Software",
             "Lakeview Medical Billing LLC", "Silverpine Manufacturing", "Redwood Analytics"]
INSURERS = ["State Farm", "Allstate", "Progressive", "GEICO", "Liberty Mutual", "USAA", "Nationwide",
            "Farmers Insurance"]
JOBS = ["warehouse lead", "dental hygienist", "staff accountant", "night-shift supervisor", "line cook",
        "software engineer", "medical biller", "delivery driver", "assistant store manager", "HR coordinator",
        "machinist", "payroll specialist"]

# ---------------------------------------------------------------------------- trading data

TICKERS = [
    ("AAPL", ["Apple", "Apple Inc."], "NASDAQ", 189.0, "037833100", "US0378331005"),
    ("MSFT", ["Microsoft", "Microsoft Corp."], "NASDAQ", 415.0, "594918104", "US5949181045"),
    ("F", ["Ford Motor", "Ford Motor Company", "Ford"], "NYSE", 12.2, "345370860", "US3453708600"),
    ("GE", ["GE Aerospace", "General Electric"], "NYSE", 165.0, None, None),
    ("T", ["AT&T", "AT&T Inc."], "NYSE", 17.4, None, None),
    ("C", ["Citigroup", "Citi"], "NYSE", 61.0, None, None),
    ("V", ["Visa", "Visa Inc."], "NYSE", 274.0, None, None),
    ("MA", ["Mastercard"], "NYSE", 458.0, None, None),
    ("KO", ["Coca-Cola", "The Coca-Cola Company"], "NYSE", 62.5, "191216100", "US1912161007"),
    ("JPM", ["JPMorgan Chase", "JPMorgan"], "NYSE", 198.0, "46625H100", "US46625H1005"),
    ("GS", ["Goldman Sachs", "Goldman"], "NYSE", 455.0, None, None),
    ("MS", ["Morgan Stanley"], "NYSE", 96.0, None, None),
    ("BAC", ["Bank of America"], "NYSE", 37.5, None, None),
    ("WFC", ["Wells Fargo"], "NYSE", 58.0, None, None),
    ("XOM", ["Exxon Mobil", "ExxonMobil"], "NYSE", 114.0, "30231G102", "US30231G1022"),
    ("CVX", ["Chevron"], "NYSE", 156.0, None, None),
    ("PFE", ["Pfizer"], "NYSE", 28.3, "717081103", "US7170811035"),
    ("JNJ", ["Johnson & Johnson", "J&J"], "NYSE", 153.0, "478160104", "US4781601046"),
    ("NVDA", ["Nvidia", "NVIDIA Corp."], "NASDAQ", 121.0, "67066G104", "US67066G1040"),
    ("AMD", ["Advanced Micro Devices"], "NASDAQ", 158.0, None, None),
    ("TSLA", ["Tesla"], "NASDAQ", 242.0, "88160R101", "US88160R1014"),
    ("META", ["Meta Platforms", "Meta"], "NASDAQ", 505.0, None, None),
    ("GOOGL", ["Alphabet", "Alphabet Inc."], "NASDAQ", 172.0, "02079K305", "US02079K3059"),
    ("BRK.B", ["Berkshire Hathaway"], "NYSE", 412.0, None, None),
    ("HOOD", ["Robinhood Markets", "Robinhood"], "NASDAQ", 22.0, None, None),
    ("COIN", ["Coinbase Global", "Coinbase"], "NASDAQ", 228.0, None, None),
    ("PLAY", ["Dave & Buster's Entertainment", "Dave & Buster's"], "NASDAQ", 36.0, None, None),
    ("FUN", ["Six Flags Entertainment", "Six Flags"], "NYSE", 41.0, None, None),
    ("LOVE", ["The Lovesac Company", "Lovesac"], "NASDAQ", 24.0, None, None),
    ("DIS", ["Walt Disney", "The Walt Disney Company", "Disney"], "NYSE", 101.0, "254687106", "US2546871060"),
    ("ALLY", ["Ally Financial"], "NYSE", 37.0, None, None),
    ("ROKU", ["Roku"], "NASDAQ", 64.0, None, None),
    ("ZION", ["Zions Bancorporation"], "NASDAQ", 44.0, None, None),
    ("CAT", ["Caterpillar"], "NYSE", 345.0, None, None),
    ("DE", ["Deere & Company", "John Deere"], "NYSE", 388.0, None, None),
    ("LOW", ["Lowe's", "Lowe's Companies"], "NYSE", 231.0, None, None),
    ("KEY", ["KeyCorp"], "NYSE", 15.2, None, None),
    ("ED", ["Consolidated Edison", "Con Edison"], "NYSE", 93.0, None, None),
    ("AL", ["Air Lease"], "NYSE", 46.0, None, None),
    ("JACK", ["Jack in the Box"], "NASDAQ", 52.0, None, None),
    ("NOW", ["ServiceNow"], "NYSE", 775.0, None, None),
    ("LUV", ["Southwest Airlines"], "NYSE", 28.5, None, None),
    ("PENN", ["PENN Entertainment"], "NASDAQ", 18.5, None, None),
    ("MCD", ["McDonald's"], "NYSE", 288.0, None, None),
    ("DELL", ["Dell Technologies", "Dell"], "NYSE", 122.0, None, None),
    ("HPQ", ["HP Inc."], "NYSE", 34.0, None, None),
    ("HPE", ["Hewlett Packard Enterprise"], "NYSE", 18.8, None, None),
    ("BA", ["Boeing"], "NYSE", 178.0, None, None),
    ("LMT", ["Lockheed Martin"], "NYSE", 462.0, None, None),
    ("LLY", ["Eli Lilly"], "NYSE", 810.0, None, None),
    ("ABT", ["Abbott Laboratories", "Abbott"], "NYSE", 106.0, None, None),
    ("BAX", ["Baxter International", "Baxter"], "NYSE", 35.0, None, None),
    ("BMY", ["Bristol-Myers Squibb"], "NYSE", 45.0, None, None),
    ("PG", ["Procter & Gamble"], "NYSE", 166.0, None, None),
    ("KLG", ["WK Kellogg Co"], "NYSE", 17.0, None, None),
    ("CPB", ["Campbell Soup", "The Campbell's Company"], "NASDAQ", 45.0, None, None),
    ("HSY", ["Hershey", "The Hershey Company"], "NYSE", 192.0, None, None),
    ("SCHW", ["Charles Schwab", "Schwab"], "NYSE", 71.0, None, None),
    ("RJF", ["Raymond James Financial", "Raymond James"], "NYSE", 122.0, None, None),
    ("MCO", ["Moody's"], "NYSE", 402.0, None, None),
    ("SPGI", ["S&P Global"], "NYSE", 428.0, None, None),
    ("GME", ["GameStop"], "NYSE", 24.0, None, None),
    ("AMC", ["AMC Entertainment"], "NYSE", 4.9, None, None),
    ("SPY", ["SPDR S&P 500 ETF Trust"], "NYSE Arca", 521.0, "78462F103", "US78462F1030"),
    ("QQQ", ["Invesco QQQ Trust"], "NASDAQ", 442.0, None, None),
    ("IWM", ["iShares Russell 2000 ETF"], "NYSE Arca", 204.0, None, None),
    ("TLT", ["iShares 20+ Year Treasury Bond ETF"], "NASDAQ", 92.0, None, None),
    ("GLD", ["SPDR Gold Shares"], "NYSE Arca", 214.0, None, None),
    ("VTI", ["Vanguard Total Stock Market ETF"], "NYSE Arca", 262.0, None, None),
    ("VOO", ["Vanguard S&P 500 ETF"], "NYSE Arca", 478.0, None, None),
    ("ARKK", ["ARK Innovation ETF"], "NYSE Arca", 47.0, None, None),
    ("SOXL", ["Direxion Daily Semiconductor Bull 3X Shares"], "NYSE Arca", 36.0, None, None),
    ("TQQQ", ["ProShares UltraPro QQQ"], "NASDAQ", 61.0, None, None),
    ("SQQQ", ["ProShares UltraPro Short QQQ"], "NASDAQ", 9.8, None, None),
    ("UVXY", ["ProShares Ultra VIX Short-Term Futures ETF"], "Cboe BZX", 27.0, None, None),
    ("BND", ["Vanguard Total Bond Market ETF"], "NASDAQ", 72.5, None, None),
    ("VXUS", ["Vanguard Total International Stock ETF"], "NASDAQ", 61.0, None, None),
    ("IBIT", ["iShares Bitcoin Trust"], "NASDAQ", 38.0, None, None),
    ("FBTC", ["Fidelity Wise Origin Bitcoin Fund"], "Cboe BZX", 58.0, None, None),
]
TK = {t[0]: t for t in TICKERS}
ETFS = {"SPY", "QQQ", "IWM", "TLT", "GLD", "VTI", "VOO", "ARKK", "SOXL", "TQQQ", "SQQQ", "UVXY", "BND",
        "VXUS", "IBIT", "FBTC"}
WORD_TICKERS = ["HOOD", "COIN", "PLAY", "FUN", "LOVE", "DIS", "ALLY", "ROKU", "ZION", "CAT", "DE", "LOW",
                "KEY", "ED", "AL", "JACK", "NOW", "LUV", "PENN"]
LEVERAGED = ["SOXL", "TQQQ", "SQQQ", "UVXY"]
CORE_ETF = ["VTI", "VOO", "SPY", "QQQ", "IWM", "TLT", "GLD", "BND", "VXUS"]
DIVIDEND = ["KO", "JNJ", "XOM", "PG", "CVX", "PFE", "ED", "ABT", "MCD", "HSY", "CPB", "KEY", "T", "BMY"]
BANKS = ["JPM", "GS", "MS", "BAC", "WFC", "C"]
MEGA = ["AAPL", "MSFT", "NVDA", "AMD", "TSLA", "META", "GOOGL", "BRK.B"]
SINGLE = ["F", "T", "C", "V", "GE", "MA"]
STOCKS = [t[0] for t in TICKERS if t[0] not in ETFS]
WITH_CUSIP = [t[0] for t in TICKERS if t[4]]
SPECULATIVE = ["GME", "AMC", "TSLA", "COIN", "HOOD", "SOXL", "ARKK", "ROKU", "PLAY"]

# (first, last, ticker) -- customers who share a name with a company founder / namesake
FOUNDERS = [("Henry", "Ford", "F"), ("Walter", "Disney", "DIS"), ("Michael", "Dell", "DELL"),
            ("John", "Deere", "DE"), ("Milton", "Hershey", "HSY"), ("Marcus", "Goldman", "GS"),
            ("Charles", "Schwab", "SCHW"), ("Henry", "Wells", "WFC"), ("William", "Boeing", "BA"),
            ("Eli", "Lilly", "LLY"), ("Robert", "Johnson", "JNJ"), ("Richard", "McDonald", "MCD"),
            ("Raymond", "James", "RJF"), ("Wallace", "Abbott", "ABT"), ("Will", "Kellogg", "KLG"),
            ("Joseph", "Campbell", "CPB"), ("David", "Packard", "HPE"), ("William", "Procter", "PG"),
            ("Lucius", "Lowe", "LOW"), ("Donald", "Baxter", "BAX"), ("Glenn", "Martin", "LMT"),
            ("John", "Moody", "MCO")]
# customers named exactly like a brokerage
FIRM_NAMESAKES = [("Raymond", "James", "Raymond James"), ("Edward", "Jones", "Edward Jones"),
                  ("Charles", "Schwab", "Charles Schwab"), ("Morgan", "Stanley", "Morgan Stanley"),
                  ("Charles", "Merrill", "Merrill Lynch")]
BROKERS = ["Charles Schwab", "Fidelity Investments", "Edward Jones", "Merrill Lynch", "Morgan Stanley",
           "Raymond James", "Vanguard", "E*TRADE", "Interactive Brokers", "Wells Fargo Advisors",
           "Robinhood", "Northfield Securities", "Harborline Brokerage", "Summit Crest Advisors"]
OWN_FIRMS = ["Northfield Securities", "Harborline Brokerage", "Summit Crest Advisors", "Bluewater Brokerage"]
RETAIL_BANKS = ["Chase", "Bank of America", "Wells Fargo", "Ally Bank", "Citibank", "U.S. Bank", "PNC Bank",
                "Capital One", "TD Bank", "Navy Federal Credit Union"]
TRANSFER_AGENTS = ["Computershare", "Equiniti", "Broadridge"]


class Ticker:
    def __init__(self, g, sym):
        r = g.r
        rec = TK[sym]
        _, names, exch, base, cusip, isin = rec
        self.s = sym
        self.etf = sym in ETFS
        lbl = "INDEX" if self.etf else "COMPANY"
        self.name_s = r.choice(names)
        self.name = K(lbl, self.name_s)
        self.canon = K(lbl, names[0])
        self.caps = K(lbl, names[0].upper())
        self.sym = K("TICKER", sym)
        v = r.random()
        if v < 0.55:
            disp = sym
        elif v < 0.7:
            disp = "$" + sym
        elif v < 0.87:
            disp = f"{exch}: {sym}"
        else:
            disp = f"{exch}:{sym}"
        self.dsym = K("TICKER", disp)
        self.exsym = K("TICKER", f"{exch}: {sym}")
        self.price = round(base * r.uniform(0.9, 1.1), 2)
        self.pxs = K("NUMBER", f"${self.price:,.2f}")
        self.pxn = K("NUMBER", f"{self.price:.2f}")
        self.cusip = K("NUMBER", cusip) if cusip else None
        self.isin = K("NUMBER", isin) if isin else None
        ch = round(r.uniform(-6, 6), 1) or 0.4
        self.chg = K("NUMBER", f"{ch:+.1f}%")


# ---------------------------------------------------------------------------- generator


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.used_surnames = []
        self.used_tickers = []

    def reset(self):
        self.used_surnames = []
        self.used_tickers = []
        self.anchor = self.day(2023, 2025)  # the document's "today"

    def past(self, lo=3, hi=420):
        return self.anchor - dt.timedelta(days=self.r.randint(lo, hi))

    def future(self, lo=3, hi=150):
        return self.anchor + dt.timedelta(days=self.r.randint(lo, hi))

    # people / contact ----------------------------------------------------
    def fresh_surname(self):
        for _ in range(50):
            s = self.r.choice(SURNAMES)
            if s not in self.used_surnames:
                return s
        return self.r.choice(SURNAMES)

    def person(self, **kw):
        return Person(self, **kw)

    def addr(self, state=None, unit=None):
        return Addr(self, state, unit)

    def email_for(self, p, domain=None):
        r = self.r
        f = re.sub(r"[^a-z]", "", p.f.lower())
        l = re.sub(r"[^a-z]", "", p.l.lower())
        if domain:
            user = r.choice([f"{f}.{l}", f"{f[0]}{l}", f"{f}{l[0]}"])
        else:
            domain = r.choice(PERSONAL_DOMAINS)
            user = r.choice([f"{f}.{l}", f"{f[0]}{l}", f"{f}{l}{r.randint(1, 99)}", f"{l}.{f}",
                             f"{f}_{l}", f"{f}{l[0]}{r.randint(70, 99)}"])
            if r.random() < 0.1:
                user = user[0].upper() + user[1:]
        return P("EMAIL", f"{user}@{domain}")

    def phone(self, ext=False):
        r = self.r
        a = r.choice(AREA)
        last = f"01{r.randint(0, 99):02d}"
        s = r.choice([f"({a}) 555-{last}", f"({a}) 555-{last}", f"{a}-555-{last}", f"{a}.555.{last}",
                      f"+1 {a} 555 {last}", f"+1-{a}-555-{last}", f"1 ({a}) 555-{last}"])
        if ext:
            s += r.choice([f" ext. {r.randint(100, 499)}", f" x{r.randint(10, 99)}"])
        return P("PHONE", s)

    def firm_phone(self):
        return self.phone(ext=self.r.random() < 0.4)

    def ssn(self):
        r = self.r
        area = r.randint(1, 899)
        while area == 666:
            area = r.randint(1, 899)
        a, b, c = f"{area:03d}", f"{r.randint(1, 99):02d}", f"{r.randint(1, 9999):04d}"
        return P("SSN", r.choice([f"{a}-{b}-{c}"] * 6 + [f"{a} {b} {c}", f"{a}{b}{c}"]))

    def ssn4(self):
        return P("SSN", f"{self.r.randint(1, 9999):04d}")

    # dates ---------------------------------------------------------------
    def day(self, y0=2021, y1=2025):
        start = dt.date(y0, 1, 1).toordinal()
        end = dt.date(y1, 12, 28).toordinal() if y1 < 2025 else dt.date(2025, 9, 30).toordinal()
        return dt.date.fromordinal(self.r.randint(start, end))

    def date(self, d=None, style=None, y0=None, y1=None, when="past"):
        if d is None:
            if y0 is not None:
                d = self.day(y0, y1 or y0)
            elif when == "today":
                d = self.anchor
            elif when == "future":
                d = self.future()
            else:
                d = self.past()
        if style is None:
            style = self.r.choices(DATE_STYLES, DATE_WEIGHTS)[0]
        return P("DATE", fmt_date(d, style))

    def dob(self, y0=1942, y1=2002):
        return self.date(d=self.day(y0, y1), style=self.r.choice(
            ["long", "us2", "us2", "us", "iso", "dmy", "abbr"]))

    def bizdays(self, d, n):
        while n > 0:
            d += dt.timedelta(days=1)
            if d.weekday() < 5:
                n -= 1
        return d

    def weekday(self, when="past", lo=3, hi=300):
        d = self.past(lo, hi) if when == "past" else self.future(lo, hi)
        while d.weekday() >= 5:
            d += dt.timedelta(days=1)
        return d

    def year(self, y):
        return K("YEAR", str(y))

    # identifiers ---------------------------------------------------------
    def _L(self, n=1):
        return "".join(self.r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(n))

    def _D(self, n):
        return "".join(str(self.r.randint(0, 9)) for _ in range(n))

    def client_no(self):
        r = self.r
        return P("ID", r.choice([f"CL-{self._D(5)}", f"C{self._D(6)}", f"{r.randint(2019, 2025)}-{self._D(4)}",
                                 f"CLT-{self._D(4)}-{self._L(2)}", f"{self._D(5)}"]))

    def matter_no(self):
        r = self.r
        return P("ID", r.choice([f"{r.randint(2019, 2025)}-{self._D(4)}", f"M-{self._D(5)}",
                                 f"{self._D(5)}.{r.randint(1, 40):03d}", f"MAT-{r.randint(19, 25)}-{self._D(3)}-LIT",
                                 f"{self._L(3)}-{self._D(4)}"]))

    def docket(self, kind="civ"):
        r = self.r
        yy = self.anchor.year % 100 - r.randint(0, 2)
        if kind == "civ":
            s = f"{r.randint(1, 4)}:{yy}-cv-{r.randint(100, 9999):05d}"
            if r.random() < 0.4:
                s += "-" + self._L(3)
            return P("ID", s)
        if kind == "cr":
            return P("ID", f"{r.randint(1, 3)}:{yy}-cr-{r.randint(10, 999):05d}")
        if kind == "bk":
            return P("ID", f"{yy}-{self._D(5)}")
        if kind == "state":
            return P("ID", r.choice([f"{yy}STCV{self._D(5)}", f"20{yy}-L-{self._D(6)}", f"CV-20{yy}-{self._D(4)}",
                                     f"{r.randint(1, 9)}{self._L(2)}-{yy}-{self._D(4)}", f"65{self._D(4)}/20{yy}",
                                     f"20{yy}CA{self._D(6)}"]))
        if kind == "ind":
            return P("ID", f"{self._D(4)}-20{yy}")
        if kind == "juv":
            return P("ID", r.choice([f"JV-{yy}-{self._D(4)}", f"20{yy}-JD-{self._D(5)}", f"J{self._D(6)}"]))
        raise ValueError(kind)

    def claim_no(self):
        r = self.r
        return P("ID", r.choice([f"{self._D(2)}-{self._D(7)}", f"CLM{self._D(9)}", f"{self._L(2)}{self._D(6)}-{self._D(2)}",
                                 f"{self._D(4)}-{self._D(4)}-{self._D(3)}"]))

    def dl(self, st):
        r = self.r
        if st == "CA":
            s = f"{self._L()}{self._D(7)}"
        elif st == "IL":
            s = f"{self._L()}{self._D(3)}-{self._D(4)}-{self._D(4)}"
        elif st == "NY":
            s = f"{self._D(3)} {self._D(3)} {self._D(3)}"
        elif st == "FL":
            s = f"{self._L()}{self._D(3)}-{self._D(3)}-{self._D(2)}-{self._D(3)}-{self._D(1)}"
        elif st == "TX":
            s = self._D(8)
        else:
            s = r.choice([f"{self._L()}{self._D(8)}", self._D(9), f"{self._L()}{self._D(3)}-{self._D(3)}-{self._D(3)}"])
        return P("ID", s)

    def passport(self):
        return P("ID", self.r.choice([self._D(9), f"{self._L()}{self._D(8)}"]))

    def bank_acct(self):
        r = self.r
        return P("ACCOUNT", r.choice([self._D(10), self._D(12), f"{self._D(4)}-{self._D(4)}-{self._D(2)}",
                                      f"{self._D(9)}", f"00{self._D(8)}"]))

    def brok_acct(self):
        r = self.r
        return P("ACCOUNT", r.choice([f"{self._L()}{self._D(2)}-{self._D(6)}", f"{self._D(4)}-{self._D(4)}",
                                      f"U{self._D(7)}", self._D(8), f"{self._D(3)}-{self._D(6)}",
                                      f"5{self._L(2)}-{self._D(5)}", f"{self._L(2)}{self._D(7)}"]))

    def last4(self):
        return P("ACCOUNT", self._D(4))

    def cust_id(self):
        r = self.r
        return P("ID", r.choice([f"CID-{self._D(7)}", f"C{self._D(8)}", f"{self._L(2)}{self._D(6)}",
                                 f"CUST-{self._D(6)}"]))

    def ticket(self):
        r = self.r
        return P("ID", r.choice([f"SR-{r.randint(2022, 2025)}-{self._D(6)}", f"CASE-{self._D(7)}",
                                 f"INC{self._D(7)}", f"{self._D(8)}"]))

    def crd(self):
        return P("ID", self._D(self.r.choice([6, 7])))

    # legal ---------------------------------------------------------------
    def case(self, key):
        return Case(self, key)

    def court(self, st=None, exclude=None):
        c = [x for x in COURTS if (st is None or x[3] == st) and (exclude is None or x[3] != exclude)]
        return Court(self.r.choice(c or COURTS))

    # trading -------------------------------------------------------------
    def tk(self, pool=None, sym=None):
        if sym is None:
            pool = pool or STOCKS
            cands = [s for s in pool if s not in self.used_tickers] or list(pool)
            sym = self.r.choice(cands)
        self.used_tickers.append(sym)
        return Ticker(self, sym)

    def firm(self, pool=None):
        return K("COMPANY", self.r.choice(pool or OWN_FIRMS))

    def qty(self, lo=5, hi=2000, step=None):
        r = self.r
        if step is None:
            step = r.choice([1, 5, 10, 25, 50, 100])
        n = max(step, (r.randint(lo, hi) // step) * step)
        return n, K("NUMBER", f"{n:,}")

    def money(self, x, cents=True):
        return K("NUMBER", f"${x:,.2f}" if cents else f"${x:,.0f}")

    def pct(self, x, nd=1, sign=False):
        return K("NUMBER", (f"{x:+.{nd}f}%" if sign else f"{x:.{nd}f}%"))

    def num(self, s):
        return K("NUMBER", s)


# ============================================================================ LEGAL templates


def L_stop_answer(g, d):
    r = g.r
    c = g.person(last=r.choice([None, None, "Miranda", "Terry"]))
    a = g.addr()
    d.add(T("""
        <<op>>, <<c.mr>> <<c.last>>. A few points on the stop on <<dt>> outside <<a.street>> in <<a.city>>:

        1. Police may briefly detain someone on reasonable, articulable suspicion — the rule of <<terry.full>>. A pat-down is allowed only if the officer reasonably believed you were armed; lawyers call the whole encounter a <<k:LEGAL_TERM:Terry stop>>.
        2. Once you were handcuffed and questioned at the station, officers had to give <<k:LEGAL_TERM:Miranda warnings>> under <<mir.nm>> before any interrogation. Statements taken without them can usually be suppressed, although prosecutors may still use them to impeach you.
        3. Silence alone is not enough. Under <<ber.full>>, you must clearly say that you are invoking your right to remain silent. <<ber.sh>>.

        <<a.state_full>> courts apply the same <<k:LEGAL_TERM:Fourth Amendment>> analysis. If you want us to review the body-cam footage, call our intake line at <<ph>> and mention file number <<fn>>.
    """), op=r.choice(["Thanks for laying that out", "Thank you for the detailed message", "Appreciate you writing in"]),
        c=c, a=a, dt=g.date(), terry=g.case("terry"), mir=g.case("miranda"), ber=g.case("berghuis"),
        ph=g.firm_phone(), fn=g.client_no())


def L_memo_msj(g, d):
    r = g.r
    court = g.court()
    c, partner, assoc, sup = g.person(), g.person(), g.person(), g.person()
    d1 = g.past(70, 420)
    d.add(T("""
        MEMORANDUM — PRIVILEGED & CONFIDENTIAL / ATTORNEY WORK PRODUCT

        TO: <<partner.full>>
        FROM: <<assoc.full>>
        DATE: <<md>>
        RE: <<c.full>> v. <<emp>> (<<court.abbr>>), Matter No. <<matter>>

        Question presented. Whether <<emp>> can obtain summary judgment on <<c.mr>> <<c.last>>'s <<k:LEGAL_TERM:Title VII>> retaliation claim under <<k:STATUTE:42 U.S.C. § 2000e-3(a)>>.

        Short answer. Probably not. Under <<k:RULE:Rule 56(a)>>, the movant must show there is no genuine dispute as to any material fact. <<celotex.full>>. A dispute is genuine if "the evidence is such that a reasonable jury could return a verdict for the nonmoving party." <<anderson.pinfull>>. All justifiable inferences are drawn in the nonmovant's favor. <<k:CITATION:Id. at 255>>.

        Facts. <<c.last>> complained to HR on <<d1>> about remarks by <<c.his>> supervisor, <<sup.full>>, and was terminated on <<d2>>, citing "restructuring." No other position was eliminated.

        Analysis. We proceed under <<mcd.full>>. Temporal proximity of under two months, combined with <<sup.last>>'s shifting explanations, should carry the pretext step; courts in <<court.circuit>> routinely deny summary judgment on similar records.
    """), partner=partner, assoc=assoc, c=c, sup=sup, court=court, emp=r.choice(EMPLOYERS),
        md=g.date(when="today", style=r.choice(["long", "us2", "abbr"])), matter=g.matter_no(),
        celotex=g.case("celotex"), anderson=g.case("anderson"), mcd=g.case("mcdonnell"),
        d1=g.date(d=d1), d2=g.date(d=d1 + dt.timedelta(days=r.randint(20, 58))))


def L_intake_premises(g, d):
    r = g.r
    c, mgr, ref = g.person(), g.person(), g.person()
    a = g.addr(state="FL")
    a2 = g.addr(state="FL", unit=False)
    d.add(T("""
        NEW CLIENT INTAKE
        Date of intake: <<d0>>
        Client: <<c.full>>    DOB: <<c.dob>>
        Phone: <<c.phone>>    Email: <<c.email>>
        Home: <<a.line>>
        Referral: former client <<ref.full>>

        Incident: Client slipped on <<subst>> in the produce aisle of the grocery store at <<a2.street>>, <<a2.city>>, on <<d1>> at approx. 6:40 p.m. No warning cone. Store manager <<mgr.full>> prepared an incident report; client has phone photos.
        Injuries: fractured left wrist (ORIF surgery), ongoing PT.

        Issues: (1) transitory foreign substance — <<k:STATUTE:Fla. Stat. § 768.0755>> requires proof of actual or constructive knowledge; (2) comparative fault, <<k:STATUTE:Fla. Stat. § 768.81>>; (3) limitations — the <<k:YEAR:2023>> tort reform shortened the negligence period to two years, <<k:STATUTE:Fla. Stat. § 95.11(4)(a)>>.
        Conflict check cleared under <<k:RULE:Model Rule 1.7>>. Send preservation letter for surveillance video today.
    """), c=c, mgr=mgr, ref=ref, a=a, a2=a2, d0=g.date(when="today", style="us2"), d1=g.date(),
        subst=r.choice(["spilled grapes", "a puddle of water", "a crushed melon", "leaking detergent"]))


def L_demand_stowers(g, d):
    r = g.r
    c, adj, ins, atty = g.person(), g.person(), g.person(), g.person()
    adj.wemail(r.choice(["lonestaradjusters.com", "northbridgeclaims.com", "gulfcoastclaimservices.com"]))
    a = g.addr(state="TX")
    inter = P("STREET_ADDRESS", r.choice(["Lamar Blvd and W. 6th St.", "Preston Rd. and Park Blvd",
                                          "Main St. and Elm Ave.", "S. Congress Ave. and Oltorf St.",
                                          "Westheimer Rd and Kirby Dr."]))
    d.add(T("""
        VIA EMAIL (<<adj.email>>) AND CERTIFIED MAIL

        <<d0>>

        <<adj.full>>
        Senior Claims Adjuster, <<insurer>>

        Re:   Our Client: <<c.full>>
              Your Insured: <<ins.full>>
              Claim No.: <<claim>>
              Date of Loss: <<dol>>

        Dear <<adj.mr>> <<adj.last>>:

        As you know, this firm represents <<c.full>> for injuries sustained when your insured rear-ended <<c.his>> vehicle at <<inter>> in <<a.city>>, <<k:STATE:Texas>>. Liability is clear: <<ins.last>> was cited at the scene. Medical expenses actually paid or incurred total $<<med>>, calculated in accordance with <<k:STATUTE:Tex. Civ. Prac. & Rem. Code § 41.0105>>.

        This is a <<k:LEGAL_TERM:Stowers>> demand. Under <<stowers.full>>, an insurer that unreasonably rejects a demand within policy limits may be liable for the full amount of any excess judgment. We will accept the policy limits of $30,000 in exchange for a full release, provided payment is tendered within 30 days of this letter.

        Sincerely,
        <<atty.full>>
        <<atty.phone>>
    """), c=c, adj=adj, ins=ins, atty=atty, a=a, inter=inter, insurer=r.choice(INSURERS),
        d0=g.date(when="today", style="long"), claim=g.claim_no(), dol=g.date(), med=f"{r.randint(18, 96)},{r.randint(100, 999)}.{r.randint(10, 99)}",
        stowers=g.case("stowers"))


def L_tool_caselaw(g, d):
    r = g.r
    court = g.court()
    c = g.person()
    a = g.addr(state=court.st)
    matter = g.matter_no()
    d.add("Running case-law search for matter <<matter>>:\n", matter=matter)
    d.add_json(T("""
        {"tool": "case_law_search", "arguments": {"query": "excessive force taser on handcuffed compliant arrestee clearly established", "jurisdiction": "<<circ>>", "cause_of_action": "<<k:STATUTE:42 U.S.C. § 1983>>", "seed_cases": ["<<graham.full>>", "<<pearson.nm>>"], "date_range": {"from": "<<k:YEAR:2010>>", "to": "<<k:YEAR:2025>>"}, "client": {"name": "<<c.full>>", "incident_date": "<<dinc>>", "incident_location": "<<a.street>>, <<a.city>>"}, "matter_id": "<<matter>>"}}
    """), circ=court.circ_short, graham=g.case("graham"), pearson=g.case("pearson"), c=c, a=a,
        dinc=g.date(style="iso"), matter=matter)


def L_tool_calendar(g, d):
    r = g.r
    court = g.court()
    c, atty = g.person(), g.person()
    atty.wemail(r.choice(LAW_DOMAINS))
    h = g.weekday("future", 30, 120)
    d.add("Scheduling the hearing and reminder.\n")
    d.add_json(T("""
        {"tool": "calendar.create_event", "arguments": {"title": "Hearing on Motion to Dismiss - <<c.last>> v. <<emp>>", "date": "<<hd>>", "time": "10:00", "location": "<<court.abbr>>, Courtroom 14B", "docket_no": "<<dock>>", "attendees": ["<<atty.email>>", "<<c.email>>"], "notes": "Defendants move under <<k:RULE:Fed. R. Civ. P. 12(b)(6)>>; opposition relies on <<tw.nm>> and <<iq.sh>>. Reply brief due <<rd>>."}}
    """), c=c, atty=atty, court=court, emp=r.choice(EMPLOYERS).replace(",", ""), hd=g.date(d=h, style="iso"),
        dock=g.docket("civ"), tw=g.case("twombly"), iq=g.case("iqbal"),
        rd=g.date(d=h - dt.timedelta(days=r.randint(7, 14)), style="iso"))


def L_noncompete(g, d):
    r = g.r
    c, atty, para = g.person(), g.person(), g.person()
    atty.wemail(r.choice(LAW_DOMAINS))
    a = g.addr(state="CA")
    d.add(T("""
        Q (from <<c.full>>, <<a.city>>): My old employer says I can't work for a competitor for 18 months. I signed the agreement in <<y>>. Can they stop me?

        A: Short version: in <<k:STATE:California>>, almost certainly not. <<k:STATUTE:Cal. Bus. & Prof. Code § 16600>> voids contracts that restrain anyone from engaging in a lawful profession, trade, or business, and <<k:COURT:the California Supreme Court>> held in <<edw.full>> that there is no "narrow restraint" exception. Since <<k:YEAR:2024>>, <<k:STATUTE:Cal. Bus. & Prof. Code § 16600.5>> also makes it unlawful for an employer to try to enforce a void noncompete, even one signed out of state. Separately, <<k:STATUTE:Cal. Lab. Code § 925>> limits out-of-state forum and choice-of-law clauses.

        Trade secrets are different. Do not take customer lists or files; misappropriation is still actionable under <<k:STATUTE:Cal. Civ. Code § 3426.1>>.

        Next step: we would send a short response letter. Please forward the agreement to <<atty.email>> and reference intake no. <<cn>>. Our paralegal <<para.full>> can set up a call — <<para.phone>>.
    """), c=c, atty=atty, para=para, a=a, y=g.year(r.randint(2016, 2023)), edw=g.case("edwards"),
        cn=g.client_no())


AREA_OF = {}
for _area, _keys in {
        "crim": "miranda berghuis gideon terry mapp katz carpenter riley brady giglio strickland batson flowers allen hill",
        "civpro": "celotex anderson erie hickman zubulake marbury",
        "juris": "daimler goodyear wwv",
        "employment": "mcdonnell harris meritor ellerth faragher bostock tyson mtclemens digital edwards",
        "rights": "graham garner monell harlow pearson brown",
        "torts": "palsgraf macpherson summers li greenman escola rowland tarasoff daubert kumho",
        "contracts": "hadley lucy hawkins williams procd specht feldman hines",
        "securities": "basic dura dirks salman",
        "admin": "loper",
        "online": "zeran kremen nosal",
        "repro": "roe dobbs"}.items():
    for _k in _keys.split():
        AREA_OF[_k] = _area
AREA_DESC = {
    "crim": ["the pending criminal charges against <<him>>", "<<his>> motion to suppress", "<<his>> appeal from a conviction"],
    "civpro": ["<<his>> pending civil suit against a former business partner", "a discovery dispute in <<his>> lawsuit"],
    "juris": ["a lawsuit filed against <<his>> small business in another state"],
    "employment": ["<<his>> claims against a former employer", "a workplace harassment complaint"],
    "rights": ["a civil-rights claim arising from an encounter with police", "a dispute with the local school district"],
    "torts": ["a personal-injury claim", "injuries from a defective product"],
    "contracts": ["a contract dispute with a supplier", "an online purchase agreement gone wrong"],
    "securities": ["investment losses in a brokerage account", "an SEC inquiry into trading in <<his>> account"],
    "admin": ["a challenge to a federal fishing regulation"],
    "online": ["a dispute over online content and account access"],
    "repro": ["questions about medical privacy and interstate travel"],
}


def L_collision_memo(g, d):
    # the client shares a surname with a party in the leading case; the citation stays, the client goes
    r = g.r
    key = r.choice(PARTY_KEYS)
    cs = g.case(key)
    c = g.person(last=cs.party)
    assoc, partner = g.person(), g.person()
    a = g.addr()
    desc = r.choice(AREA_DESC[AREA_OF[key]]).replace("<<him>>", c.him).replace("<<his>>", c.his)
    d.add(T("""
        CASE MEMO — <<c.upper>> (Client No. <<cn>>)
        Prepared <<d0>> by <<assoc.full>> for <<partner.full>>

        Background. <<c.full>> of <<a.city>>, <<a.state>> retained us on <<dret>> regarding <<desc>>. The other side's latest filing leans heavily on <<cs.full>>, which held that <<cs.prop>>.

        Assessment. <<cs.short_name>> is less helpful to them than the filing suggests. Read in context the holding is narrower, see <<cs.sh>>, and the factual record here is still undeveloped. <<c.mr>> <<c.last>> should not discuss the matter with anyone else; all contact should go through this office.

        Next steps: (1) document-preservation letter to <<c.last>>; (2) draft our response by <<ddue>>.
    """), cs=cs, c=c, assoc=assoc, partner=partner, a=a, cn=g.client_no(), desc=desc,
        d0=g.date(when="today"), dret=g.date(d=g.past(5, 60)), ddue=g.date(when="future"))


def L_securities_memo(g, d):
    r = g.r
    c, atty = g.person(), g.person()
    d1 = g.past(220, 600)
    d.add(T("""
        To: Securities litigation group
        From: <<atty.full>>
        Date: <<d0>>
        Subject: Potential <<k:STATUTE:15 U.S.C. § 78j(b)>> / <<k:RULE:SEC Rule 10b-5>> claim — <<c.full>>

        <<c.full>> bought <<sh>> shares of <<issuer>> between <<d1>> and <<d2>> in <<c.his>> brokerage account (acct. <<acct>>). The stock fell 38% the day the company restated two years of revenue.

        Elements: a material misrepresentation, scienter, a connection with a purchase or sale, reliance, economic loss, and loss causation. Reliance can be presumed under <<basic.full>>. Loss causation must be pleaded with some specificity, <<dura.nm>>, and scienter allegations must give rise to a "strong inference" under the <<k:LEGAL_TERM:PSLRA>>, <<k:STATUTE:15 U.S.C. § 78u-4(b)(2)>>, as construed in <<tellabs.full>>. Fraud must also be pleaded with particularity under <<k:RULE:Fed. R. Civ. P. 9(b)>>.

        Venue: a class action is already pending in <<k:COURT:S.D.N.Y.>>; the lead-plaintiff deadline is 60 days from the notice. <<c.last>>'s loss (~$41,000) is too small to lead, so the practical choice is to stay in the class or opt out.
    """), c=c, atty=atty, d0=g.date(when="today", style="us2"), sh=f"{r.randint(3, 40) * 50:,}",
        issuer=r.choice(["Veridian Biotherapeutics", "Calloway Solar Holdings", "Nexora Payments", "Tidewater Diagnostics"]),
        d1=g.date(d=d1), d2=g.date(d=d1 + dt.timedelta(days=r.randint(30, 200))), acct=g.brok_acct(),
        basic=g.case("basic"), dura=g.case("dura"), tellabs=g.case("tellabs"))


def L_brady_letter(g, d):
    r = g.r
    c, ausa, atty = g.person(), g.person(), g.person()
    d.add(T("""
        <<d0>>

        AUSA <<ausa.full>>
        United States Attorney's Office
        Re: United States v. <<c.full>>, No. <<dock>>

        Dear Counsel:

        On behalf of <<c.mr>> <<c.last>>, we request all <<k:LEGAL_TERM:Brady material>> and impeachment information under <<brady.full>> and <<giglio.full>>, together with discovery under <<k:RULE:Fed. R. Crim. P. 16(a)(1)(E)>>. In particular, please produce the agents' notes of the interview of the cooperating witness identified as CW-1 on <<dint>>, any benefits promised to CW-1, and all communications with CW-1's counsel. Statements of testifying witnesses are also due under the <<k:LEGAL_TERM:Jencks Act>>, <<k:STATUTE:18 U.S.C. § 3500>>.

        Trial is set for <<dtrial>>. Please contact me at <<atty.phone>> to discuss a production schedule.

        Very truly yours,
        <<atty.full>>
    """), c=c, ausa=ausa, atty=atty, d0=g.date(when="today", style="long"), dock=g.docket("cr"), dint=g.date(),
        dtrial=g.date(d=g.future(45, 200)), brady=g.case("brady"), giglio=g.case("giglio"))


def L_chat_fmla(g, d):
    r = g.r
    c = g.person()
    a = g.addr()
    d.add(T("""
        User: hi, I'm <<c.full>>. I was let go from my job at <<emp>> on <<dterm>>, two weeks after I asked for leave to care for my mom after her surgery. I'd worked there since <<y>>. Is that legal?

        Assistant: I'm sorry you're dealing with this, <<c.first>>. What you describe could support a claim under the <<k:LEGAL_TERM:Family and Medical Leave Act>>. Two theories usually apply:
        • Interference — <<k:STATUTE:29 U.S.C. § 2615(a)(1)>> bars employers from interfering with <<k:LEGAL_TERM:FMLA>> rights.
        • Retaliation — <<k:STATUTE:29 C.F.R. § 825.220(c)>> prohibits using the taking of leave as a negative factor in employment decisions.
        Eligibility: 12 months of service, 1,250 hours in the prior year, and a worksite with 50+ employees within 75 miles (<<k:STATUTE:29 U.S.C. § 2611(2)>>).
        Deadline: generally 2 years from the violation, 3 if willful (<<k:STATUTE:29 U.S.C. § 2617(c)>>).
        If you'd like, I can open a file for an attorney to review. What's the best way to reach you?

        User: sure — <<c.phone>> or <<c.email>>. I'm in <<a.city>>, <<a.state>>.
    """), c=c, a=a, emp=r.choice(EMPLOYERS), dterm=g.date(), y=g.year(r.randint(2012, 2022)))


def L_daubert(g, d):
    r = g.r
    court = g.court(st="CA")
    c = g.person()
    mfr = r.choice(["Halvorsen Appliance Co.", "Brightheat Products, Inc.", "Kestrel Home Goods LLC"])
    d.add(T("""
        PRIVILEGED — ATTORNEY WORK PRODUCT
        Matter: <<c.full>> v. <<mfr>> | Docket <<dock>> (<<court.abbr>>)
        Re: Defendant's motion to exclude our expert, <<exp.full>>, Ph.D.

        Defendant has asked for a <<k:LEGAL_TERM:Daubert hearing>>. Under <<k:RULE:Fed. R. Evid. 702>>, as amended in <<k:YEAR:2023>>, we must show by a preponderance that the opinion is based on sufficient facts and reliably applies a reliable method. The court acts as gatekeeper, <<daubert.full>>, and that role extends to engineering testimony, <<kumho.full>>.

        <<exp.last>> inspected the space heater on <<dinsp>>, ran thermal tests on exemplar units, and traced the failure to an undersized thermal cutoff. That is testable and peer-reviewed methodology. Her causation opinion ties the defect to the fire at <<c.his>> home on <<dinj>>.

        Liability theory: strict products liability under <<greenman.full>>; design defect under the consumer-expectations test.
    """), c=c, exp=g.person(gender="F"), mfr=mfr, dock=g.docket("civ"), court=court,
        daubert=g.case("daubert"), kumho=g.case("kumho"), greenman=g.case("greenman"),
        dinsp=g.date(d=g.past(20, 150)), dinj=g.date(d=g.past(300, 800)))


def L_pj_email(g, d):
    r = g.r
    court = g.court()
    c, atty = g.person(), g.person()
    a = g.addr(state=r.choice([x[2] for x in CITIES if x[2] != court.st]))
    d.add(T("""
        Hi <<c.first>>,

        Thanks for sending the summons. You were served at <<a.street>> on <<dserve>>, so your response is due 21 days later under <<k:RULE:Fed. R. Civ. P. 12(a)(1)(A)(i)>>.

        I think we have a strong motion to dismiss under <<k:RULE:Fed. R. Civ. P. 12(b)(2)>>. Your business only operates out of <<a.city>>, <<a.state>>, and the plaintiff sued in <<court.full>>. Specific jurisdiction requires minimum contacts with the forum, <<shoe.full>>, such that you "should reasonably anticipate being haled into court there." <<wwv.pinfull>>. A handful of online sales to residents usually is not enough, and general jurisdiction is out under <<daimler.nm>>.

        Let's talk Thursday. My direct line is <<atty.phone>>.

        <<atty.full>>
    """), c=c, atty=atty, a=a, court=court, dserve=g.date(d=g.past(1, 10)), shoe=g.case("intlshoe"), wwv=g.case("wwv"),
        daimler=g.case("daimler"))


def L_cfaa(g, d):
    r = g.r
    court = g.court(st=r.choice(["CA", "WA", "AZ"]))
    c, partner = g.person(), g.person()
    d.add(T("""
        Case summary for <<partner.full>> — client <<c.full>> (matter <<matter>>)

        <<c.full>>'s former employer filed for a TRO under <<k:RULE:Fed. R. Civ. P. 65(b)>>, alleging <<c.he>> violated the <<k:LEGAL_TERM:Computer Fraud and Abuse Act>>, <<k:STATUTE:18 U.S.C. § 1030(a)(2)>>, by downloading customer lists before resigning on <<dres>>. Hearing is set for <<dhear>> in <<court.abbr>>.

        Defense: after <<vb.full>>, "exceeds authorized access" does not reach an employee who misuses data the employee was entitled to access; <<court.circuit>> said the same in <<nosal.full>>; see <<nosal.bare>>. The <<k:LEGAL_TERM:CFAA>> count should fall away.

        Real exposure: the trade secret count under <<k:STATUTE:18 U.S.C. § 1836>>. Client says the files were returned; we need a forensic image of the personal laptop. Client cell: <<c.phone>>.
    """), c=c, partner=partner, court=court, matter=g.matter_no(), dres=g.date(d=g.past(5, 40)), dhear=g.date(d=g.future(3, 20)),
        vb=g.case("vanburen"), nosal=g.case("nosal"))


def L_fdcpa(g, d):
    r = g.r
    c = g.person()
    court = g.court()
    d1 = g.past(70, 300)
    d.add(T("""
        Client: <<c.full>> | Cell: <<c.phone>> | Intake <<d0>>
        Collector: <<coll>>, collecting on a closed <<orig>> credit card (acct. <<acct>>)

        Notes: Collector called <<c.his>> cell 14 times between <<d1>> and <<d2>>, including after <<c.he>> sent a written dispute on <<d3>>. At least six calls used a prerecorded voice. Client never gave the collector <<c.his>> cell number.

        Claims:
        - <<k:LEGAL_TERM:FDCPA>>: harassment by repeated calls, <<k:STATUTE:15 U.S.C. § 1692d(5)>>; collection activity after a timely dispute without validation, <<k:STATUTE:15 U.S.C. § 1692g(b)>>.
        - <<k:LEGAL_TERM:TCPA>>: prerecorded calls to a cell phone without consent, <<k:STATUTE:47 U.S.C. § 227(b)(1)(A)(iii)>>; $500 per call, up to treble if willful.
        Limitations: one year for the <<k:LEGAL_TERM:FDCPA>> claims, <<k:STATUTE:15 U.S.C. § 1692k(d)>>. File in <<court.abbr>>.
    """), c=c, court=court, d0=g.date(when="today", style="us2"), coll=r.choice(["Summit Recovery Associates", "Apex Portfolio Services", "Clearwater Receivables"]),
        orig=r.choice(["Capital One", "Synchrony", "Discover", "Citi"]), acct=g.bank_acct(),
        d1=g.date(d=d1), d2=g.date(d=d1 + dt.timedelta(days=r.randint(20, 60))), d3=g.date(d=d1 + dt.timedelta(days=r.randint(3, 15))))


def L_bankruptcy(g, d):
    r = g.r
    c = g.person()
    court = g.court()
    a = g.addr(state=court.st)
    f = g.past(0, 15)
    d.add(T("""
        CHAPTER 7 PETITION CHECKLIST — <<c.upper>>

        Debtor: <<c.full>>      SSN: <<c.ssn>>
        Address: <<a.line>>
        Case No.: <<bk>> (<<court.bankr>>)   Filed: <<dfile>>
        341 meeting: <<d341>>

        [x] Credit counseling certificate (<<k:STATUTE:11 U.S.C. § 109(h)>>) dated <<dcc>>
        [x] Means test — income below the median for <<a.state_full>>; no presumption of abuse under <<k:STATUTE:11 U.S.C. § 707(b)(2)>>
        [ ] Notify landlord of the automatic stay, <<k:STATUTE:11 U.S.C. § 362(a)>>; any stay-relief motion is governed by <<k:RULE:Fed. R. Bankr. P. 4001>>
        [ ] Review cash advances within 70 days of filing — possible nondischargeability under <<k:STATUTE:11 U.S.C. § 523(a)(2)(C)>>
    """), c=c, a=a, court=court, bk=g.docket("bk"), dfile=g.date(d=f, style="us2"),
        d341=g.date(d=f + dt.timedelta(days=r.randint(21, 40)), style="us2"),
        dcc=g.date(d=f - dt.timedelta(days=r.randint(5, 60)), style="us2"))


def L_deposit_letter(g, d):
    r = g.r
    c, ll, atty = g.person(), g.person(), g.person()
    atty.wemail(r.choice(LAW_DOMAINS))
    la = g.addr(state="CA")
    ta = g.addr(state="CA", unit=True)
    d.add(T("""
        <<d0>>

        <<ll.full>>
        <<la.block>>

        Re: Return of security deposit — <<ta.street>>, <<ta.city>>

        Dear <<ll.mr>> <<ll.last>>:

        I represent your former tenant, <<c.full>>, who vacated the unit above on <<dmove>> and returned the keys the same day. More than 21 days have passed, and <<c.mr>> <<c.last>> has received neither the $<<dep>> deposit nor an itemized statement of deductions, as <<k:STATUTE:Cal. Civ. Code § 1950.5(g)>> requires. Under <<k:STATE:California>> law, bad-faith retention exposes a landlord to statutory damages of up to twice the deposit, <<k:STATUTE:Cal. Civ. Code § 1950.5(l)>>.

        Please send the full deposit to my office within ten days. You may reach me at <<atty.phone>> or <<atty.email>>.

        Sincerely,
        <<atty.full>>
    """), c=c, ll=ll, atty=atty, la=la, ta=ta, d0=g.date(when="today", style="long"), dmove=g.date(d=g.past(25, 90)),
        dep=f"{r.randint(12, 60) * 100:,}")


def L_appeal_deadline(g, d):
    r = g.r
    court = g.court()
    c, atty = g.person(), g.person()
    j = g.past(1, 15)
    due = j + dt.timedelta(days=30)
    st = r.choice(["long", "us2", "abbr"])
    d.add(T("""
        DEADLINE ALERT — <<c.full>> v. <<opp>> (No. <<dock>>)

        Final judgment was entered <<dj>> in <<court.abbr>>. A notice of appeal is due within 30 days under <<k:RULE:Fed. R. App. P. 4(a)(1)(A)>>, i.e., by <<ddue>>, unless a timely <<k:RULE:Rule 59(e)>> motion tolls the period (<<k:RULE:Fed. R. App. P. 4(a)(4)(A)(iv)>>). Any <<k:RULE:Rule 59(e)>> motion must be filed within 28 days, and that deadline cannot be extended, <<k:RULE:Fed. R. Civ. P. 6(b)(2)>>. An appeal would go to <<court.circuit>>.

        Client prefers email (<<c.email>>). Responsible attorney: <<atty.full>>.
    """), c=c, atty=atty, court=court, opp=r.choice(EMPLOYERS), dock=g.docket("civ"),
        dj=g.date(d=j, style=st), ddue=g.date(d=due, style=st))


def L_settlement(g, d):
    r = g.r
    c, partner = g.person(), g.person()
    d.add(T("""
        SETTLEMENT FUNDING INSTRUCTIONS — CONFIDENTIAL

        Matter: <<matter>>
        Claimant: <<c.full>>
        Gross settlement: $<<amt>>; release executed <<drel>>.

        The release includes an express waiver of <<k:STATUTE:Cal. Civ. Code § 1542>>, which otherwise preserves unknown claims; <<c.mr>> <<c.last>> initialed the waiver paragraph. No Medicare conditional-payment issue under <<k:STATUTE:42 U.S.C. § 1395y(b)(2)>> — client is not a beneficiary.

        Net proceeds: client asked that the net go directly to <<bank>>, account no. <<bacct>>, in the name of <<c.full>>. Tax ID for the W-9: <<c.ssn>>.
        Disbursement from trust approved by <<partner.full>> consistent with <<k:RULE:Model Rule 1.15>>.
    """), c=c, partner=partner, matter=g.matter_no(), amt=f"{r.randint(25, 480) * 1000:,}",
        drel=g.date(d=g.past(1, 20)), bank=r.choice(RETAIL_BANKS), bacct=g.bank_acct())


def L_upjohn(g, d):
    r = g.r
    atty, w1, w2 = g.person(), g.person(), g.person()
    d.add(T("""
        Question from <<atty.full>> (in-house counsel at <<co>>): We're running an internal investigation into expense fraud. Are my interview notes from the sessions with <<w1.full>> on <<dint>> and <<w2.full>> privileged, and can I share them with our outside auditors?

        Answer: Communications between company counsel and employees, made at counsel's direction to secure legal advice for the company, are privileged under <<upjohn.full>>. Give each interviewee an <<k:LEGAL_TERM:Upjohn warning>> that you represent the company, not them (see <<k:RULE:Model Rule 1.13(f)>>). Your notes are also opinion work product under <<hickman.full>> and <<k:RULE:Fed. R. Civ. P. 26(b)(3)>>.

        Sharing with auditors is riskier: some courts treat disclosure to an independent auditor as a waiver of privilege, though usually not of work product. Limit what you share and consider a clawback agreement under <<k:RULE:Fed. R. Evid. 502>>. And keep confidentiality in mind generally, <<k:RULE:Model Rule 1.6>>.

        One housekeeping point: <<w2.last>>'s personal cell (<<w2.phone>>) appears in the notes; redact it before any production.
    """), atty=atty, w1=w1, w2=w2, co=r.choice(EMPLOYERS), dint=g.date(), upjohn=g.case("upjohn"),
        hickman=g.case("hickman"))


def L_mtd_outline(g, d):
    r = g.r
    court = g.court(st="CA")
    c, plf = g.person(), g.person()
    d.add(T("""
        OUTLINE — Defendant <<c.full>>'s Motion to Dismiss
        <<plf.full>> v. <<c.full>>, No. <<dock>> (<<court.abbr>>)

        I. Standard. To survive a motion under <<k:RULE:Rule 12(b)(6)>>, a complaint must "state a claim to relief that is plausible on its face." <<tw.pinfull>>. A claim is facially plausible when the pleaded facts allow "the reasonable inference that the defendant is liable for the misconduct alleged." <<iq.pinfull>>. Threadbare recitals of the elements do not suffice. <<k:CITATION:Id.>> Legal conclusions are not entitled to the assumption of truth. <<k:CITATION:Id. at 679>>.

        II. <<plf.last>>'s defamation count fails. The only statement alleged — <<c.last>>'s review posted <<dpost>> — is nonactionable opinion.

        III. Alternatively, special motion to strike under <<k:STATUTE:Cal. Civ. Proc. Code § 425.16>>. Note that <<k:COURT:the Ninth Circuit>> applies <<k:RULE:Rule 12(b)(6)>> standards when an anti-SLAPP motion challenges only the legal sufficiency of the complaint.
    """), c=c, plf=plf, court=court, dock=g.docket("civ"), tw=g.case("twombly"), iq=g.case("iqbal"),
        dpost=g.date(d=g.past(100, 500)))


def L_1983_intake(g, d):
    r = g.r
    c, w = g.person(), g.person()
    a = g.addr()
    d.add(T("""
        Intake summary — <<c.full>>, DOB <<c.dob>>
        Arrested <<darr>> outside <<a.street>>, <<a.city>>. Officers tased <<c.him>> after <<c.he>> was already handcuffed, per neighbor <<w.full>>, who filmed it (<<w.phone>>).

        Claims: <<k:LEGAL_TERM:Fourth Amendment>> excessive force via <<k:STATUTE:42 U.S.C. § 1983>>, analyzed under <<graham.full>>; a possible <<k:LEGAL_TERM:Monell claim>> against the city under <<monell.full>> if we can show a pattern of taser misuse.
        Defenses: qualified immunity, <<harlow.full>>; under <<pearson.nm>> the court may go straight to the "clearly established" prong, so we need on-point precedent.
        Limitations: borrow <<a.state_full>>'s personal-injury period. Request body-cam footage now.
    """), c=c, w=w, a=a, darr=g.date(), graham=g.case("graham"), monell=g.case("monell"),
        harlow=g.case("harlow"), pearson=g.case("pearson"))


def L_loper(g, d):
    r = g.r
    c, atty = g.person(), g.person()
    a = g.addr(state=r.choice(["MA", "RI", "NJ", "ME", "CT"]))
    d.add(T("""
        Client alert draft — for <<c.full>> (federal fishing permit <<permit>>), <<a.city>>, <<a.state>>

        For forty years, courts deferred to agencies' reasonable readings of ambiguous statutes — <<k:LEGAL_TERM:Chevron deference>>, from <<chev.full>>. In <<loper.full>>, <<k:COURT:the Supreme Court>> overruled <<chev.short_name>>, holding that courts "must exercise their independent judgment in deciding whether an agency has acted within its statutory authority." <<loper.sh>>.

        For you, this matters because the at-sea monitoring fees under the <<k:LEGAL_TERM:Magnuson-Stevens Act>> rest on an agency reading of the statute that no longer gets deference. A challenge to a new rule must be filed within 30 days of publication, <<k:STATUTE:16 U.S.C. § 1855(f)>>.

        Keep the invoices from your last monitored trip (<<dtrip>>). Questions: <<atty.full>>, <<atty.phone>>.
    """), c=c, atty=atty, a=a, permit=P("ID", f"{g._D(6)}"), chev=g.case("chevron"), loper=g.case("loper"),
        dtrip=g.date())


def L_hadley_email(g, d):
    r = g.r
    c = g.person()
    a = g.addr()
    d.add(T("""
        To: <<c.email>>
        Subject: Your claim against <<supplier>> — lost profits

        <<c.first>>,

        You asked whether you can recover the profits you lost when the walk-in freezer installed at your restaurant at <<a.street>> failed on <<dfail>>. The answer turns on foreseeability. Under the rule of <<hadley.full>>, consequential damages are recoverable only if they were reasonably within the contemplation of both parties when the contract was made. For a sale of goods the same idea is codified at <<k:STATUTE:U.C.C. § 2-715(2)(a)>>.

        The supplier will point to the limitation-of-remedies clause in the contract you signed on <<dsign>>. That clause may fail of its essential purpose if they cannot repair the unit, <<k:STATUTE:U.C.C. § 2-719(2)>>, and exclusions of consequential damages can be unconscionable, <<k:STATUTE:U.C.C. § 2-719(3)>>.

        In <<a.state_full>>, you have four years from tender of delivery to sue, <<k:STATUTE:U.C.C. § 2-725>>.
    """), c=c, a=a, supplier=r.choice(["Polar Line Refrigeration", "Coldcraft Equipment", "ArcticPro Commercial"]),
        dfail=g.date(d=g.past(20, 200)), dsign=g.date(d=g.past(300, 900)), hadley=g.case("hadley"))


def L_torts_memo(g, d):
    r = g.r
    c = g.person()
    h1 = g.person(gender="M")
    h2 = g.person(gender="M", last=r.choice([None, "Tice", "Summers"]))
    a = g.addr(state="CA", unit=False)
    d.add(T("""
        FILE MEMO — <<c.upper>> / hunting incident
        Matter <<matter>> | Incident date: <<dinc>> | Near <<a.city>>, <<a.state_full>>

        Two hunters, <<h1.full>> and <<h2.full>>, fired toward our client at nearly the same moment; a pellet struck <<c.his>> right eye. Ballistics cannot tell whose shot it was. Under <<summers.full>>, the burden shifts to each negligent defendant to prove he did not cause the injury.

        Comparative fault (<<li.full>>) may reduce recovery if <<c.last>> was not wearing blaze orange, but it will not bar it. Duty is not an issue under <<palsgraf.nm>>: <<c.last>> was plainly a foreseeable plaintiff within the zone of danger.
    """), c=c, h1=h1, h2=h2, a=a, matter=g.matter_no(), dinc=g.date(), summers=g.case("summers"),
        li=g.case("li"), palsgraf=g.case("palsgraf"))


def L_removal(g, d):
    r = g.r
    plf = g.person()
    a = g.addr()
    d.add(T("""
        Removal analysis — <<plf.full>> v. <<co>> (our client), state case no. <<dock>>

        Our client's registered agent was served on <<dserve>>; the notice of removal is due within 30 days, <<k:STATUTE:28 U.S.C. § 1446(b)(1)>>.

        Diversity. Plaintiff <<plf.last>> is domiciled in <<a.city>>, <<a.state>>, residing at <<a.street>> (Compl. ¶ 2). Our client is a <<k:STATE:Delaware>> corporation with its principal place of business in <<k:STATE:Ohio>>. The complaint seeks lost wages and emotional-distress damages well over $75,000, <<k:STATUTE:28 U.S.C. § 1332(a)>>. The forum-defendant rule, <<k:STATUTE:28 U.S.C. § 1441(b)(2)>>, is not implicated.

        Once in federal court, <<erie.full>> means <<a.state_full>> substantive law still governs the claims.
    """), plf=plf, a=a, co=r.choice(EMPLOYERS), dock=g.docket("state"), dserve=g.date(d=g.past(1, 20)), erie=g.case("erie"))


def L_juvenile(g, d):
    r = g.r
    m = g.person()
    par = g.person(last=m.l)
    m.set_dob(2008, 2011)
    d.add(T("""
        JUVENILE INTAKE — CONFIDENTIAL
        Minor: <<m.full>>, DOB <<m.dob>>
        Parent/guardian: <<par.full>>, <<par.phone>>
        Petition no.: <<jv>>; detention hearing <<dh>>

        Rights: <<gault.full>> guarantees notice of the charges, counsel, confrontation, and the privilege against self-incrimination. <<gault.sh>>. The school resource officer questioned <<m.first>> in the assistant principal's office for forty minutes without a parent present. A child's age informs whether a reasonable person would feel free to leave, <<jdb.full>>, so move to suppress.

        Also: confirm with <<par.first>> whether <<m.first>> was read <<k:LEGAL_TERM:Miranda warnings>> and whether anything was signed.
    """), m=m, par=par, jv=g.docket("juv"), dh=g.date(d=g.future(2, 20)), gault=g.case("gault"), jdb=g.case("jdb"))


def L_dobbs(g, d):
    r = g.r
    c, atty = g.person(gender="F"), g.person()
    a = g.addr(state=r.choice(["TX", "MS", "AL", "TN", "KY", "LA", "AR", "OK", "ID"]))
    st2 = K("STATE", r.choice(["Illinois", "New Mexico", "Colorado", "Kansas", "Virginia"]))
    d.add(T("""
        From: <<c.email>>
        Name: <<c.full>>
        Location: <<a.city>>, <<a.state_full>>

        Question: After <<dobbs.nm>>, could I be prosecuted at home for traveling to <<st2>> for care?

        Response: <<dobbs.full>> overruled <<roe.full>> and returned abortion regulation to the states; it did not authorize states to punish lawful conduct in another state, and the constitutional right to interstate travel remains. Whether your home state's laws reach people who help you travel is a separate and evolving question, so do not rely on general information. Medical records are protected by <<k:LEGAL_TERM:HIPAA>>, <<k:STATUTE:45 C.F.R. § 164.502>>, subject to law-enforcement exceptions in <<k:STATUTE:45 C.F.R. § 164.512(f)>>.

        Please speak with a lawyer licensed in <<a.state_full>>. Our partner <<atty.full>> can talk this week: <<atty.phone>>.
    """), c=c, atty=atty, a=a, st2=st2, dobbs=g.case("dobbs"), roe=g.case("roe"))


def L_jury_notes(g, d):
    r = g.r
    c, sis = g.person(), g.person(gender="F")
    d.add(T("""
        Trial notes — People v. <<c.full>>, Ind. No. <<ind>>, Day 1 (<<dtrial>>)

        Jury selection: the prosecutor used peremptories on jurors 4, 9, and 12 — the only three Black members of the panel. We raised a <<k:LEGAL_TERM:Batson challenge>> under <<batson.full>>; the court found a prima facie showing and asked for race-neutral reasons. The history of strikes matters, <<flowers.full>>.

        If the jury deadlocks, object to any <<k:LEGAL_TERM:Allen charge>> that pressures holdouts; the classic instruction traces to <<allen.full>>.

        Logistics: client's sister <<sis.full>> (<<sis.phone>>) will bring a suit for <<c.first>> tomorrow.
    """), c=c, sis=sis, ind=g.docket("ind"), dtrial=g.date(when="today"), batson=g.case("batson"), flowers=g.case("flowers"),
        allen=g.case("allen"))


def L_update_email(g, d):
    r = g.r
    court = g.court()
    c, atty = g.person(), g.person()
    t = g.future(90, 200)
    d.add(T("""
        Subject: Update — <<c.last>> v. <<opp>>

        Hi <<c.first>>,

        Good news: the court in <<court.abbr>> denied <<opp>>'s motion for summary judgment under <<k:RULE:Rule 56(a)>>, finding genuine disputes about why your position was eliminated. Citing <<anderson.nm>>, the order notes that credibility calls belong to the jury.

        Next steps: a settlement conference on <<dsc>> at 9:30 a.m., then the final pretrial conference on <<dptc>>. Please hold <<dtrial>> and the following week for trial.

        Call me at <<atty.phone>> whenever convenient.

        <<atty.first>>
    """), c=c, atty=atty, court=court, opp=r.choice(EMPLOYERS), anderson=g.case("anderson"),
        dsc=g.date(d=t - dt.timedelta(days=60), style=r.choice(["md", "long", "wd"])),
        dptc=g.date(d=t - dt.timedelta(days=14), style=r.choice(["md", "long"])), dtrial=g.date(d=t, style="long"))


def L_billing(g, d):
    r = g.r
    court = g.court()
    c, atty = g.person(), g.person()
    b = g.past(30, 60)
    ds = [b + dt.timedelta(days=i) for i in sorted(r.sample(range(0, 25), 4))]
    st = r.choice(["us2", "iso", "usy"])
    d.add(T("""
        PRE-BILL — Client <<cn>> (<<c.lf>>) / Matter <<matter>>
        Timekeeper: <<atty.full>>

        <<b1>>  0.8  Research <<k:RULE:Fed. R. Civ. P. 26(b)(1)>> proportionality; review <<zub.nm>> on preservation duty.
        <<b2>>  1.4  Draft letter to opposing counsel re: ESI protocol; call with <<c.first>> re: text messages on personal phone.
        <<b3>>  2.1  Draft opposition to motion to compel; analyze <<k:RULE:Rule 37(e)>> and <<k:RULE:FRE 803(6)>> foundation for business records.
        <<b4>>  0.3  Calendar hearing in <<court.abbr>>; email client.
    """), c=c, atty=atty, court=court, cn=g.client_no(), matter=g.matter_no(), zub=g.case("zubulake"),
        b1=g.date(d=ds[0], style=st), b2=g.date(d=ds[1], style=st), b3=g.date(d=ds[2], style=st),
        b4=g.date(d=ds[3], style=st))


def L_research_evidence(g, d):
    r = g.r
    atty, c, doc = g.person(), g.person(), g.person()
    dv = g.past(100, 400)
    d.add(T("""
        Research summary for <<atty.full>>
        Client: <<c.full>> | Due: <<ddue>>
        Topic: admissibility of <<c.last>>'s ER records and the treating physician's causation opinion

        1. Business records: hospital records come in under <<k:RULE:FRE 803(6)>> with custodian testimony or a certification under <<k:RULE:Fed. R. Evid. 902(11)>>; statements made for medical diagnosis or treatment are separately admissible under <<k:RULE:Fed. R. Evid. 803(4)>>.
        2. Opinion testimony: the treating physician, <<doc.full>>, may testify as a fact witness about treatment, but a causation opinion must satisfy <<k:RULE:Fed. R. Evid. 702>>; see <<kumho.sh>>.
        3. Prejudice: the photographs may draw an objection under <<k:RULE:Fed. R. Evid. 403>>.
        4. Records show an ER visit on <<dvisit>> and follow-up on <<dfu>>; confirm that the certification covers both.
    """), atty=atty, c=c, doc=doc, ddue=g.date(when="future"), kumho=g.case("kumho"), dvisit=g.date(d=dv),
        dfu=g.date(d=dv + dt.timedelta(days=r.randint(7, 30))))


def L_sox(g, d):
    r = g.r
    c = g.person()
    t = g.past(10, 150)
    d.add(T("""
        Consult notes — <<d0>>

        <<c.full>> (<<c.phone>>), former senior accountant at <<co>>, reported revenue-recognition concerns to the audit committee on <<drep>> and was fired on <<dterm>>.

        - <<k:LEGAL_TERM:Sarbanes-Oxley>> whistleblower protection, <<k:STATUTE:18 U.S.C. § 1514A>>: covers internal reports; a complaint must be filed with OSHA within 180 days of the adverse action.
        - <<k:LEGAL_TERM:Dodd-Frank>> anti-retaliation, <<k:STATUTE:15 U.S.C. § 78u-6(h)>>: after <<dig.full>>, it covers only people who reported to the SEC before the adverse action. <<c.last>> did not, so <<k:LEGAL_TERM:SOX>> is the vehicle.
        - Consider a tip to the SEC now for a potential award under <<k:RULE:SEC Rule 21F-3>>.
    """), c=c, co=r.choice(EMPLOYERS), d0=g.date(when="today"), drep=g.date(d=t - dt.timedelta(days=r.randint(20, 90))),
        dterm=g.date(d=t), dig=g.case("digital"))


def L_trademark(g, d):
    r = g.r
    c, atty, para = g.person(), g.person(), g.person()
    para.wemail(r.choice(LAW_DOMAINS))
    a = g.addr(state="NY")
    d.add(T("""
        Hi <<c.first>> — following up on our call about the cease-and-desist letter you received on <<dcd>> about your bakery's name.

        The claim is trademark infringement and false designation of origin under the <<k:LEGAL_TERM:Lanham Act>>, <<k:STATUTE:15 U.S.C. § 1125(a)>>. In <<k:COURT:the Second Circuit>>, likelihood of confusion is assessed under <<pol.full>>, which weighs the strength of the mark, similarity, proximity of the products, actual confusion, and good faith, among other factors.

        You've used the name at <<a.street>> in <<a.city>> since <<y>>, which may give you common-law priority in your area. I'll draft a response; please send dated invoices or photos showing first use to <<para.email>>.

        — <<atty.full>>
    """), c=c, atty=atty, para=para, a=a, dcd=g.date(d=g.past(3, 30)), pol=g.case("polaroid"), y=g.year(r.randint(2009, 2021)))


def L_flsa(g, d):
    r = g.r
    c, mgr = g.person(), g.person()
    a = g.addr()
    d.add(T("""
        Intake: <<c.full>>, <<job>> at <<emp>>, <<a.city>>, <<a.state>>. Phone <<c.phone>>.
        Says <<c.he>> routinely worked 50–55 hours a week from <<y>> until <<dleft>> on a flat weekly salary and was classified as exempt. Manager <<mgr.full>> told <<c.him>> to clock out at 40 hours.

        Analysis: overtime is owed under the <<k:LEGAL_TERM:Fair Labor Standards Act>>, <<k:STATUTE:29 U.S.C. § 207(a)(1)>>, unless an exemption applies, and <<c.his>> duties look nonexempt. Where time records were altered, hours may be proven by just and reasonable inference, <<mtc.full>>, and representative proof can support a collective action, <<tyson.full>>.
        Procedure: collective action under <<k:STATUTE:29 U.S.C. § 216(b)>>; two-year limitations period, three if willful, <<k:STATUTE:29 U.S.C. § 255(a)>>.
    """), c=c, mgr=mgr, a=a, job=r.choice(JOBS), emp=r.choice(EMPLOYERS), y=g.year(r.randint(2019, 2023)),
        dleft=g.date(), mtc=g.case("mtclemens"), tyson=g.case("tyson"))


def L_bipa(g, d):
    r = g.r
    c = g.person()
    a = g.addr(state="IL")
    d.add(T("""
        Potential class representative: <<c.full>>, employee ID <<eid>> at <<emp>>. Used a fingerprint time clock at the warehouse from <<dstart>> onward; never signed a written release.

        Claim: <<k:LEGAL_TERM:BIPA>>, <<k:STATUTE:740 ILCS 14/15(b)>>, requires informed written consent before collecting biometric identifiers. <<rosen.full>> held that no actual harm is needed beyond the violation. <<cothron.full>> held that a claim accrues with each scan, but the <<k:YEAR:2024>> amendment to <<k:STATUTE:740 ILCS 14/20>> now limits recovery to a single violation per person for repeated collection by the same method.

        Damages: $1,000 per negligent violation, $5,000 per intentional or reckless violation.
        Client contact: <<c.email>>; lives in <<a.city>>, <<k:STATE:Illinois>>.
    """), c=c, a=a, eid=P("ID", r.choice([f"E{g._D(6)}", f"{g._D(5)}", f"EMP-{g._D(5)}"])), emp=r.choice(EMPLOYERS),
        dstart=g.date(d=g.past(400, 1500)), rosen=g.case("rosenbach"), cothron=g.case("cothron"))


def L_estate_intake(g, d):
    r = g.r
    c = g.person()
    sp = g.person(gender=("F" if c.gender == "M" else "M"), last=r.choice([c.l, None]))
    a = g.addr()
    d.add(T("""
        ESTATE PLANNING INTAKE
        Clients: <<c.full>> and <<sp.full>>
        DOBs: <<c.dob>> / <<sp.dob>>
        ID verified: <<c.first>> — <<a.state_abbr>> driver's license <<dl>>; <<sp.first>> — U.S. passport <<pp>>
        Residence: <<a.line>>

        Goals: revocable living trust and pour-over wills; avoid probate in <<a.state_full>>; annual gifts to grandchildren within the exclusion ($19,000 per donee in <<k:YEAR:2025>>, <<k:STATUTE:26 U.S.C. § 2503(b)>>). Inherited IRAs: explain the <<k:LEGAL_TERM:SECURE Act>> ten-year rule, <<k:STATUTE:26 U.S.C. § 401(a)(9)(H)>>.
        Joint representation conflict waiver signed per <<k:RULE:Model Rule 1.7(b)>>.
    """), c=c, sp=sp, a=a, dl=g.dl(a.sabbr), pp=g.passport())


def L_insider_q(g, d):
    r = g.r
    c, atty = g.person(), g.person()
    atty.wemail(r.choice(LAW_DOMAINS))
    d.add(T("""
        Q: I'm <<c.full>>, a director of engineering at <<co>>. My RSUs vest on <<dvest>> and I want to sell right away to cover my daughter's tuition. Our earnings come out later that month. Any problem?

        A: Possibly. Trading while aware of material nonpublic information violates <<k:STATUTE:15 U.S.C. § 78j(b)>> and <<k:RULE:SEC Rule 10b-5>>. Liability rests on a duty of trust and confidence, and tippee liability derives from the insider's breach, <<dirks.full>>; even a gift of information to a relative is enough, <<salman.full>>.

        The safest route is a <<k:RULE:Rule 10b5-1>> plan adopted while you have no inside information. Since the <<k:YEAR:2022>> amendments, employees who are not officers or directors face a 30-day cooling-off period before the first trade. Also check your company's blackout calendar; a sale can violate policy even when it is lawful.

        Our securities partner <<atty.full>> (<<atty.email>>) can review a draft plan. Reference: <<cn>>.
    """), c=c, atty=atty, co=r.choice(EMPLOYERS), dvest=g.date(d=g.future(10, 60)), dirks=g.case("dirks"), salman=g.case("salman"),
        cn=g.client_no())


def L_privacy_scrape(g, d):
    r = g.r
    court = g.court(st="CA")
    c, atty = g.person(), g.person()
    d.add(T("""
        Client call notes — <<d0>> — <<c.full>> (founder, two-person startup), <<c.email>>

        Issue: a professional networking site sent <<c.him>> a cease-and-desist on <<dcd>> demanding that <<c.he>> stop scraping public profiles, and blocked <<c.his>> IP range.

        Law: after <<hiq.full>>, scraping publicly available pages likely is not access "without authorization" under <<k:STATUTE:18 U.S.C. § 1030(a)(2)>>, see <<hiq.bare>>, and <<vb.nm>> narrowed the statute further. But the site's terms of use may still support a contract claim if <<c.he>> agreed to them by clicking, compare <<feldman.full>> with <<hines.full>>.

        Next: <<atty.full>> to send a response letter; venue would likely be <<court.abbr>>.
    """), c=c, atty=atty, court=court, d0=g.date(when="today"), dcd=g.date(d=g.past(3, 40)), hiq=g.case("hiq"), vb=g.case("vanburen"),
        feldman=g.case("feldman"), hines=g.case("hines"))


def L_corp_board(g, d):
    r = g.r
    c, atty = g.person(), g.person()
    a = g.addr()
    d.add(T("""
        BOARD ADVICE MEMO — PRIVILEGED
        For: <<c.full>>, independent director
        Prepared by: <<atty.full>>, <<d0>>

        You asked about personal exposure for approving the merger at the <<dmeet>> board meeting. Three lines of <<k:STATE:Delaware>> authority matter:
        • Process: <<vg.full>> found a breach of the duty of care where directors approved a sale after a two-hour meeting without a valuation study.
        • Sale of control: once a sale is inevitable, the board must seek the best price reasonably available, <<revlon.full>>.
        • Oversight: <<caremark.full>> requires a good-faith effort to maintain reporting systems.
        Exculpation under <<k:STATUTE:8 Del. C. § 102(b)(7)>> protects directors from money damages for care breaches, not loyalty or bad faith. Please send the D&O policy to my office; we will also need your home address (<<a.street>>, <<a.city>>) for the indemnification agreement.
    """), c=c, atty=atty, a=a, d0=g.date(when="today"), dmeet=g.date(d=g.past(5, 90)), vg=g.case("vangorkom"), revlon=g.case("revlon"),
        caremark=g.case("caremark"))


def L_tool_docketsearch(g, d):
    r = g.r
    court = g.court()
    c = g.person()
    dock = g.docket("civ")
    d.add("Pulling the docket and drafting a status note for the client file.\n")
    d.add_json(T("""
        {"tool": "pacer_fetch_docket", "arguments": {"court": "<<court.abbr>>", "case_number": "<<dock>>", "party_name": "<<c.full>>", "since": "<<dsince>>"}}
    """), court=court, dock=dock, c=c, dsince=g.date(style="iso"))
    d.add("\n")
    d.add_json(T("""
        {"tool": "draft_note", "arguments": {"client_id": "<<cn>>", "text": "Docket <<dock>> checked. Opposing party filed a motion under <<k:RULE:Fed. R. Civ. P. 56(a)>> relying on <<cel.nm>> and <<mat.full>>. Response due in 21 days under <<k:RULE:L.R. 56.1>>; hearing on <<dh>>.", "notify": "<<c.email>>"}}
    """), dock=dock, cn=g.client_no(), cel=g.case("celotex"), mat=g.case("matsushita"), dh=g.date(when="future", style="iso"), c=c)


def L_gideon_q(g, d):
    r = g.r
    c = g.person(last=r.choice([None, None, "Gideon", "Strickland"]))
    d.add(T("""
        Message from <<c.full>> (inmate no. <<inm>>): My public defender never visited me and told me to plead guilty the morning of trial on <<dplea>>. Can I get my plea undone?

        Reply: I'm sorry you went through that, <<c.mr>> <<c.last>>. The right to counsel recognized in <<gid.full>> includes the right to effective assistance. To win, you generally must show that counsel's performance fell below an objective standard of reasonableness and that there is a reasonable probability the result would have been different, <<strick.full>>. For a guilty plea, that means showing you would have gone to trial but for counsel's errors, <<hill.full>>.

        These claims are usually raised in a post-conviction petition. Deadlines are strict: for federal habeas, one year under <<k:STATUTE:28 U.S.C. § 2244(d)(1)>>. Please have a family member call our office at <<ph>> so we can request your file.
    """), c=c, inm=P("ID", r.choice([f"{g._D(6)}", f"A{g._D(7)}", f"{g._D(5)}-{g._D(3)}"])), dplea=g.date(),
        gid=g.case("gideon"), strick=g.case("strickland"),
        hill=g.case("hill"),
        ph=g.firm_phone())


def L_reading_list(g, d):
    r = g.r
    assoc, mentor = g.person(), g.person()
    assoc.wemail(r.choice(LAW_DOMAINS))
    keys = r.sample(["marbury", "brown", "gideon", "erie", "intlshoe", "gault", "palsgraf", "hadley", "miranda",
                     "celotex", "chevron", "loper", "terry", "roe", "dobbs", "daubert"], 5)
    cs = [g.case(k) for k in keys]
    v = {f"c{i}": cs[i] for i in range(5)}
    d.add(T("""
        Welcome packet — <<assoc.full>> (employee no. <<eid>>), start date <<dstart>>
        Mentor: <<mentor.full>>, ext. <<ext>>; your email is <<assoc.email>>.

        Before your first research assignment, please reread these and be ready to state each holding in one sentence:
        1. <<c0.full>> — <<c0.prop>>.
        2. <<c1.full>> — <<c1.prop>>.
        3. <<c2.full>> — <<c2.prop>>.
        4. <<c3.full>> — <<c3.prop>>.
        5. <<c4.full>> — <<c4.prop>>.
        Citation form follows the Bluebook; short cites look like <<c0.sh>>, and a pin to the same page is simply <<k:CITATION:Id.>>
    """), assoc=assoc, mentor=mentor, eid=P("ID", f"E-{g._D(5)}"), dstart=g.date(when="future"),
        ext=P("PHONE", str(r.randint(2100, 4899))), **v)


AREA_TOPIC = {"crim": "suppression and trial-rights issues", "civpro": "pleading, discovery and summary judgment",
              "juris": "personal jurisdiction", "employment": "workplace discrimination and wage claims",
              "rights": "civil-rights claims against officers and cities", "torts": "negligence and product liability",
              "contracts": "contract formation and damages", "securities": "securities fraud and insider trading",
              "admin": "agency deference", "online": "online platforms and computer access",
              "repro": "reproductive-health privacy"}


def L_area_digest(g, d):
    r = g.r
    area = r.choice([a for a in AREA_TOPIC if sum(1 for k in AREA_OF if AREA_OF[k] == a) >= 3])
    keys = r.sample(sorted(k for k in AREA_OF if AREA_OF[k] == area), 3)
    c, atty = g.person(), g.person()
    cs = [g.case(k) for k in keys]
    d.add(T("""
        RESEARCH DIGEST — <<topic>>
        Requested by <<atty.full>> on <<dreq>> for <<c.full>> (matter <<matter>>); client phone on file <<c.phone>>

        • <<c0.full>>: <<c0.prop>>. Pin: <<c0.sh>>.
        • <<c1.full>>: <<c1.prop>>. See <<c1.bare>>.
        • <<c2.nm>>: <<c2.prop>>. <<c2.sh>>.

        Open question for <<atty.first>>: whether the facts of <<c.last>>'s <<dinc>> incident fit the second case or are closer to the third.
    """), topic=AREA_TOPIC[area], c=c, atty=atty, dreq=g.date(when="today"), matter=g.matter_no(),
        dinc=g.date(style=r.choice(["long", "md", "abbr"])), c0=cs[0], c1=cs[1], c2=cs[2])


LEGAL_TEMPLATES = [L_reading_list, L_area_digest, L_stop_answer, L_memo_msj, L_intake_premises, L_demand_stowers, L_tool_caselaw,
                   L_tool_calendar, L_noncompete, L_collision_memo, L_securities_memo, L_brady_letter,
                   L_chat_fmla, L_daubert, L_pj_email, L_cfaa, L_fdcpa, L_bankruptcy, L_deposit_letter,
                   L_appeal_deadline, L_settlement, L_upjohn, L_mtd_outline, L_1983_intake, L_loper,
                   L_hadley_email, L_torts_memo, L_removal, L_juvenile, L_dobbs, L_jury_notes, L_update_email,
                   L_billing, L_research_evidence, L_sox, L_trademark, L_flsa, L_bipa, L_estate_intake,
                   L_insider_q, L_privacy_scrape, L_corp_board, L_tool_docketsearch, L_gideon_q]


# ============================================================================ TRADING templates


def _settle(g, d0):
    return g.bizdays(d0, 1)


def R_confirm(g, d):
    r = g.r
    c = g.person()
    a = g.addr()
    t = g.tk(pool=r.choice([WITH_CUSIP, WITH_CUSIP, STOCKS]))
    n, q = g.qty(10, 1500)
    td = g.weekday()
    st = r.choice(["us2", "us2", "iso", "caps"])
    side = r.choice(["BOUGHT", "SOLD"])
    ident = (["CUSIP: ", t.cusip, "   ISIN: ", t.isin] if t.cusip else ["Symbol: ", t.sym])
    d.add(T("""
        <<firm>> — TRADE CONFIRMATION
        Account Holder: <<c.upper>>
        Account No.: <<acct>>
        Mailing Address: <<a.street>>, <<a.city>>, <<a.state>> <<a.zip>>
        Trade Date: <<td>>    Settlement Date: <<sd>>
        ------------------------------------------------------------
        <<side>>  <<q>> SH  <<t.caps>> (<<t.dsym>>)
        <<ident>>
        Price: <<px>>    Principal: <<prin>>    Commission: <<k:NUMBER:$0.00>>
        Capacity: Agent    Solicited: <<sol>>
    """), firm=g.firm(), c=c, a=a, acct=g.brok_acct(), td=g.date(d=td, style=st),
        sd=g.date(d=_settle(g, td), style=st), side=side, q=q, t=t, ident=ident, px=t.pxs,
        prin=g.money(n * t.price), sol=r.choice(["Yes", "No"]))


def R_morning_note(g, d):
    r = g.r
    adv, c = g.person(), g.person()
    t1, t2, t3 = g.tk(pool=MEGA), g.tk(pool=MEGA), g.tk(pool=STOCKS)
    d.add(T("""
        MORNING NOTE — prepared by <<adv.full>> for <<c.full>> (<<c.email>>)

        Futures point to a firmer open: <<k:INDEX:S&P 500>> <<p1>>, <<k:INDEX:Nasdaq-100>> <<p2>>, <<k:INDEX:Russell 2000>> flat. The <<k:INDEX:VIX>> eased to <<vix>>, and the <<k:INDEX:10-year Treasury>> yield sits at <<y10>>.
        Movers: <<t1.dsym>> <<t1.chg>> premarket after <<t1.name>> raised guidance; <<t2.sym>> <<t2.chg>> on a downgrade.

        For your account ending <<acct4>>: no action needed today. Your <<t3.sym>> position (<<t3.name>>) is now <<w>> of the portfolio, above the <<k:NUMBER:10%>> single-stock guideline we discussed on <<dmeet>>. Call me at <<adv.phone>> if you'd like to trim.
    """), adv=adv, c=c, t1=t1, t2=t2, t3=t3, p1=g.pct(r.uniform(0.1, 0.9), sign=True),
        p2=g.pct(r.uniform(0.1, 1.3), sign=True), vix=g.num(f"{r.uniform(12, 24):.1f}"),
        y10=g.pct(r.uniform(3.7, 4.8), nd=2), acct4=g.last4(), w=g.pct(r.uniform(11, 28)), dmeet=g.date())


def R_suitability(g, d):
    r = g.r
    c, rep = g.person(), g.person()
    c.set_dob(1940, 1960)
    a = g.addr()
    l1, l2 = g.tk(pool=LEVERAGED), g.tk(pool=LEVERAGED)
    k1, k2 = g.tk(pool=["VTI", "VOO", "SPY"]), g.tk(pool=["BND", "TLT"])
    _, q1 = g.qty(50, 800, 10)
    _, q2 = g.qty(50, 800, 10)
    d.add(T("""
        SUITABILITY / <<k:REG:REG BI>> REVIEW
        Client: <<c.full>>   DOB: <<c.dob>>   Acct: <<acct>> (Traditional IRA)
        Rep: <<rep.full>>   Review date: <<drev>>

        Profile: retired teacher in <<a.city>>, <<a.state>>; income about <<inc>> (pension plus Social Security); liquid net worth <<nw>>; risk tolerance moderate; time horizon 10+ years.

        Finding: <<l1.sym>> and <<l2.sym>> now make up <<pct>> of the account. Leveraged and inverse ETFs reset daily and are generally unsuitable for buy-and-hold investors with a moderate profile (see <<k:REG:FINRA Regulatory Notice 09-31>>). Under <<k:REG:Reg BI>> and <<k:REG:FINRA Rule 2111>>, we should not recommend adding to them.

        Recommendation: sell <<q1>> <<l1.sym>> and <<q2>> <<l2.sym>>; reallocate to <<k1.sym>> (<<k1.name>>) and <<k2.sym>>. Client agreed by phone on <<dcall>>; <<k:REG:Form CRS>> re-delivered.
    """), c=c, rep=rep, a=a, acct=g.brok_acct(), drev=g.date(), inc=g.money(r.randint(38, 72) * 1000, False),
        nw=g.money(r.randint(250, 900) * 1000, False), l1=l1, l2=l2, k1=k1, k2=k2, pct=g.pct(r.uniform(18, 45)),
        q1=q1, q2=q2, dcall=g.date())


def R_chat_support(g, d):
    r = g.r
    c = g.person()
    t = g.tk(pool=STOCKS + CORE_ETF)
    n, q = g.qty(2, 200, 1)
    td = g.weekday()
    st = r.choice(["us2", "md", "long"])
    d.add(T("""
        [Live chat · <<firm>> support]
        customer: hi my <<t.sym>> shares arent showing in my account?? i bought <<q>> yesterday
        agent: Hi there! I can help with that. For security, can you confirm your full name and the last four of your SSN?
        customer: <<c.lower>>, <<s4>>
        agent: Thanks, <<c.first>>. I see account <<acct>>. The buy of <<q>> <<t.sym>> at <<t.pxs>> executed on <<td>> and settles one business day later under <<k:REG:Rule 15c6-1>>, so it shows as pending until <<sd>>.
        customer: ok. also can u change my email to <<c.email>>
        agent: Done — a confirmation code went to your phone ending in <<p4>>. Your case number is <<case>>.
    """), firm=g.firm(), c=c, t=t, q=q, s4=g.ssn4(), acct=g.brok_acct(), td=g.date(d=td, style=st),
        sd=g.date(d=_settle(g, td), style=st), p4=P("PHONE", f"01{r.randint(0, 99):02d}"), case=g.ticket())


def R_tool_order(g, d):
    r = g.r
    c = g.person()
    t = g.tk(pool=SINGLE + WORD_TICKERS + MEGA)
    n, q = g.qty(5, 500, r.choice([1, 5, 10, 50, 100]))
    lp = g.num(f"{t.price * r.uniform(0.97, 1.0):.2f}")
    side = r.choice(["buy", "sell"])
    d.add(r.choice(["Placing the order for <<c.first>> now:\n", "Confirmed with <<c.first>> by phone; submitting.\n",
                    "Order tool call:\n"]), c=c)
    d.add_json(T("""
        {"tool": "place_order", "arguments": {"account": "<<acct>>", "ticker": "<<t.sym>>", "side": "<<side>>", "qty": <<q>>, "order_type": "limit", "limit_price": <<lp>>, "time_in_force": "day"}, "context": {"customer_name": "<<c.full>>", "customer_id": "<<cid>>", "verified_phone": "<<c.phone>>", "reg_bi_disclosure": "<<k:REG:Form CRS>>"}}
    """), acct=g.brok_acct(), t=t, side=side, q=K("NUMBER", str(n)), lp=lp, c=c, cid=g.cust_id())


def R_founder_client(g, d):
    r = g.r
    f, l, sym = r.choice(FOUNDERS)
    first = f if r.random() < 0.65 else None
    c = g.person(first=first, last=l, gender=("M" if first else None))
    t = g.tk(sym=sym)
    n, q = g.qty(800, 20000, 100)
    _, q1 = g.qty(100, 2000, 100)
    y1 = g.anchor.year + 1
    d.add(T("""
        Advisor note (<<dnote>>) — client <<c.full>>, acct <<acct>>

        <<c.mr>> <<c.last>> (no relation to the <<t.name>> namesake, as <<c.he>> likes to point out) holds <<q>> shares of <<t.dsym>>, about <<pct>> of <<c.his>> liquid net worth, mostly inherited with a cost basis near <<basis>>.

        Discussed: covered calls vs. an exchange fund vs. staged sales over <<y1>>–<<y2>> to spread the capital gains. Client prefers staged sales; first tranche of <<q1>> shares via limit order at <<lp>>.
        Next call: <<dnext>> at <<c.phone>>.
    """), c=c, t=t, q=q, q1=q1, acct=g.brok_acct(), dnote=g.date(when="today", style="us2"), pct=g.pct(r.uniform(30, 70), nd=0),
        basis=g.money(t.price * r.uniform(0.05, 0.3)), y1=g.year(y1), y2=g.year(y1 + 1),
        lp=g.money(t.price * r.uniform(1.01, 1.06)), dnext=g.date(when="future"))


def R_options_ticket(g, d):
    r = g.r
    c, rep = g.person(), g.person()
    t = g.tk(pool=MEGA + ["SPY", "QQQ", "IWM"])
    n = r.randint(1, 20)
    strike = round(t.price * r.uniform(0.95, 1.12) / 5) * 5 or 5
    prem = round(r.uniform(0.8, 9.5), 2)
    td = g.weekday(lo=0, hi=5)
    d.add(T("""
        OPTIONS ORDER TICKET
        Acct: <<acct>> | Owner: <<c.full>> | Options level 2 (approved <<dappr>>)
        BTO <<n>> <<t.sym>> <<strike>> calls, <<mon>> expiry, limit <<prem>> per contract, DAY
        Est. cost: <<cost>> plus <<fee>> in fees
        Underlying last: <<t.pxs>>

        Risk note: maximum loss is the premium paid. Customer confirmed receipt of the options disclosure document per <<k:REG:FINRA Rule 2360>>.
        Entered by <<rep.full>> at <<tm>> on <<td>>; recorded line <<rep.phone>>.
    """), c=c, rep=rep, t=t, acct=g.brok_acct(), dappr=g.date(), n=g.num(str(n)), strike=g.num(str(strike)),
        mon=r.choice(MONTHS), prem=g.money(prem), cost=g.money(prem * 100 * n), fee=g.money(0.65 * n),
        tm=r.choice(["9:41 a.m.", "10:12 a.m.", "1:05 p.m.", "3:32 p.m."]), td=g.date(d=td, style="us2"))


def R_10b51(g, d):
    r = g.r
    c = g.person()
    t = g.tk(pool=STOCKS)
    ad = g.past(60, 200)
    first = ad + dt.timedelta(days=r.randint(90, 120))
    _, q = g.qty(500, 5000, 250)
    _, qt = g.qty(10000, 60000, 1000)
    d.add(T("""
        Re: <<c.full>> — <<k:REG:Rule 10b5-1>> trading plan (<<t.name>>, <<t.exsym>>)

        <<c.full>> is an SVP at <<t.name>> and a <<k:REG:Section 16>> officer. The plan was adopted on <<dadopt>>. Under the <<k:YEAR:2022>> amendments, the cooling-off period for officers is the later of 90 days or two business days after the <<k:REG:Form 10-Q>> for the quarter of adoption (capped at 120 days), so the first sale may occur no earlier than <<dfirst>>.

        Plan terms: sell <<q>> shares on the 15th of each month if <<t.sym>> trades above <<lp>>; total not to exceed <<qt>> shares.
        Each sale requires a <<k:REG:Form 4>> within two business days and, where thresholds are met, a <<k:REG:Form 144>> under <<k:REG:Rule 144>>.
        Execution account: <<acct>>. Contact: <<c.email>>.
    """), c=c, t=t, dadopt=g.date(d=ad), dfirst=g.date(d=first), q=q, qt=qt,
        lp=g.money(t.price * r.uniform(1.0, 1.15)), acct=g.brok_acct())


def R_acats(g, d):
    r = g.r
    c = g.person()
    rf, df = r.sample(BROKERS, 2)
    t1, t2, t3 = g.tk(pool=STOCKS), g.tk(pool=CORE_ETF), g.tk(pool=DIVIDEND)
    _, q1 = g.qty(10, 600, 1)
    _, q2 = g.qty(10, 600, 1)
    _, q3 = g.qty(10, 600, 1)
    d.add(T("""
        ACATS TRANSFER REQUEST — Receiving firm: <<rf>>
        Customer: <<c.full>>          SSN: <<c.ssn>>
        Receiving account: <<racct>>
        Delivering firm: <<df>>       Delivering account: <<dacct>>
        Transfer type: FULL (in kind)
        Positions: <<q1>> <<t1.sym>>, <<q2>> <<t2.sym>>, <<q3>> <<t3.sym>>, cash approx. <<cash>>
        Signed: <<dsign>>

        Note: <<t3.name>> shares are enrolled in DRIP; the fractional <<frac>> share will be liquidated by the delivering firm. Expect completion within about a week under <<k:REG:FINRA Rule 11870>>.
    """), c=c, rf=K("COMPANY", rf), df=K("COMPANY", df), racct=g.brok_acct(), dacct=g.brok_acct(),
        t1=t1, t2=t2, t3=t3, q1=q1, q2=q2, q3=q3, cash=g.money(r.uniform(100, 25000)), dsign=g.date(),
        frac=g.num(f"0.{r.randint(100, 989)}"))


def R_margin_call(g, d):
    r = g.r
    c, rep = g.person(), g.person()
    t1, t2 = g.tk(pool=SPECULATIVE), g.tk(pool=SPECULATIVE)
    dc = g.weekday(lo=0, hi=3)
    st = r.choice(["us2", "long", "abbr"])
    d.add(T("""
        MARGIN CALL NOTICE — <<dcall>>
        Account <<acct>> — <<c.upper>>
        Maintenance call: <<amt>> due by <<ddue>>

        Your equity fell to <<eq>> of market value after <<t1.name>> (<<t1.sym>>) dropped <<drop>> and <<t2.dsym>> fell <<drop2>>. Our house maintenance requirement is <<k:NUMBER:30%>>, above the <<k:NUMBER:25%>> minimum in <<k:REG:FINRA Rule 4210>>; initial margin is governed by <<k:REG:Regulation T>>.

        Meet the call by depositing cash or marginable securities. If the call is not met, we may liquidate positions without further notice. Questions: margin desk <<desk>> (ask for <<rep.full>>).
    """), c=c, rep=rep, t1=t1, t2=t2, acct=g.brok_acct(), dcall=g.date(d=dc, style=st),
        ddue=g.date(d=g.bizdays(dc, 2), style=st), amt=g.money(r.uniform(1500, 60000)),
        eq=g.pct(r.uniform(18, 29)), drop=g.pct(r.uniform(12, 35)), drop2=g.pct(r.uniform(8, 30)), desk=g.firm_phone())


def R_1099(g, d):
    r = g.r
    c = g.person()
    a = g.addr()
    ts = [g.tk(pool=DIVIDEND) for _ in range(3)]
    divs = [r.uniform(40, 900) for _ in ts]
    tot = sum(divs)
    d.add(T("""
        <<firm>> · <<y>> TAX INFORMATION STATEMENT (<<k:REG:Form 1099-DIV>>)
        Recipient: <<c.full>>
        <<a.street>>
        <<a.city>>, <<a.state>> <<a.zip>>
        Recipient TIN: <<c.ssn>>    Account: <<acct>>

        Box 1a  Total ordinary dividends ........ <<tot>>
        Box 1b  Qualified dividends ............. <<qual>>
        Detail: <<t0.name>> (<<t0.sym>>) <<d0>>; <<t1.name>> (<<t1.sym>>) <<d1>>; <<t2.name>> (<<t2.sym>>) <<d2>>
    """), firm=g.firm(), y=g.year(r.randint(2022, 2024)), c=c, a=a, acct=g.brok_acct(), tot=g.money(tot),
        qual=g.money(tot * r.uniform(0.85, 1.0)), t0=ts[0], t1=ts[1], t2=ts[2], d0=g.money(divs[0]),
        d1=g.money(divs[1]), d2=g.money(divs[2]))


def R_complaint_unauth(g, d):
    r = g.r
    c, rep = g.person(), g.person()
    t1, t2 = g.tk(pool=STOCKS), g.tk(pool=["SQQQ", "UVXY", "SOXL", "TQQQ"])
    _, q1 = g.qty(50, 500, 10)
    _, q2 = g.qty(100, 3000, 100)
    d.add(T("""
        COMPLIANCE ESCALATION — written complaint received <<drec>>
        Customer: <<c.full>> | Acct <<acct>> | Phone <<c.phone>>
        Registered rep: <<rep.full>> (CRD# <<crd>>)

        Allegation: on <<dtrade>> the rep bought <<q1>> <<t1.sym>> and <<q2>> <<t2.sym>> without authorization in a non-discretionary account. The customer estimates a loss of <<loss>> after <<t2.sym>> fell <<pct>>.
        Required actions: report under <<k:REG:FINRA Rule 4530>>; preserve order tickets and recorded lines under <<k:REG:Rule 17a-4>>; evaluate whether a <<k:REG:Form U4>> amendment is needed.
    """), c=c, rep=rep, crd=g.crd(), acct=g.brok_acct(), drec=g.date(), dtrade=g.date(), t1=t1, t2=t2, q1=q1,
        q2=q2, loss=g.money(r.uniform(2000, 40000)), pct=g.pct(r.uniform(9, 40)))


def R_senior(g, d):
    r = g.r
    c = g.person(gender="F")
    c.set_dob(1935, 1945)
    x, tc = g.person(gender="M"), g.person(gender="F", last=r.choice([c.l, None]))
    a2 = g.addr()
    t1, t2 = g.tk(pool=DIVIDEND), g.tk(pool=CORE_ETF)
    _, q1 = g.qty(100, 2000, 50)
    _, q2 = g.qty(100, 2000, 50)
    d.add(T("""
        Senior investor concern — <<k:REG:FINRA Rule 2165>>
        Client: <<c.full>>, age 83, DOB <<c.dob>>, acct <<acct>>

        On <<dreq>> the client asked to wire <<amt>> to a "crypto recovery" company. A new acquaintance, <<x.full>>, joined the call and answered questions for her.
        Trusted contact on file (<<k:REG:FINRA Rule 4512>>): <<tc.full>> (daughter), <<tc.phone>>. Spoke with <<tc.first>> on <<dtc>>; she is driving up from <<a2.city>>.

        Action: temporary hold placed on the disbursement; branch manager notified. Holdings otherwise unchanged: <<q1>> <<t1.sym>>, <<q2>> <<t2.sym>>.
    """), c=c, x=x, tc=tc, a2=a2, acct=g.brok_acct(), dreq=g.date(), amt=g.money(r.randint(15, 90) * 1000, False),
        dtc=g.date(style="md"), t1=t1, t2=t2, q1=q1, q2=q2)


def R_word_ticker_chat(g, d):
    r = g.r
    c = g.person()
    kid = g.person(last=c.l)
    kid.set_dob(2010, 2020)
    ta, tb, tcx = g.tk(pool=WORD_TICKERS), g.tk(pool=WORD_TICKERS), g.tk(pool=WORD_TICKERS)
    n, q = g.qty(1, 30, 1)
    acct = g.brok_acct()
    d.add(T("""
        user: thinking about buying some <<ta.sym>> and <<tb.sym>> for my kid's custodial account lol. is <<tc.sym>> a buy too?
        assistant: Fun picks! Quick context: <<ta.sym>> is <<ta.name>>, <<tb.sym>> is <<tb.name>>, and <<tc.sym>> is <<tc.name>>. I can't give personalized recommendations in chat, but <<ta.sym>> last traded at <<ta.pxs>> and <<tb.sym>> at <<tb.pxs>>.
        user: ok put <<q>> shares of <<ta.sym>> in the UTMA for <<kid.first_lc>>. account <<acct>>
        assistant: Got it — buy <<q>> <<ta.sym>> at market in UTMA account <<acct>> (custodian: <<c.full>>; minor: <<kid.full>>, DOB <<kid.dob>>). Reply YES to confirm.
    """), c=c, kid=kid, ta=ta, tb=tb, tc=tcx, q=q, acct=acct)


def R_tool_quotes(g, d):
    r = g.r
    c = g.person()
    ts = [g.tk(pool=WORD_TICKERS + SINGLE) for _ in range(4)]
    acct = g.brok_acct()
    d.add_json(T("""
        {"tool": "get_quotes", "arguments": {"symbols": ["<<t0.sym>>", "<<t1.sym>>", "<<t2.sym>>", "<<t3.sym>>"]}}
    """), t0=ts[0], t1=ts[1], t2=ts[2], t3=ts[3])
    d.add("\n")
    d.add_json(T("""
        {"tool": "get_positions", "arguments": {"account_id": "<<acct>>", "account_owner": "<<c.full>>", "include": ["cost_basis", "unrealized_pl"]}}
    """), acct=acct, c=c)
    d.add("\n")
    d.add_json(T("""
        {"tool": "send_summary", "arguments": {"to": "<<c.email>>", "body": "Hi <<c.first>>, <<t0.sym>> closed at <<t0.pxs>> (<<t0.chg>>) and <<t1.sym>> at <<t1.pxs>>. Your <<t2.sym>> lot bought <<dbuy>> is up <<gain>>."}}
    """), c=c, t0=ts[0], t1=ts[1], t2=ts[2], dbuy=g.date(style=r.choice(["us", "long", "md"])),
        gain=g.pct(r.uniform(1, 40)))


def R_withdrawal(g, d):
    r = g.r
    c, ops = g.person(), g.person()
    t = g.tk(pool=CORE_ETF + DIVIDEND)
    _, q = g.qty(20, 800, 10)
    d.add(T("""
        Disbursement request · <<dreq>>
        From brokerage account <<acct>> (<<c.full>>) to external checking at <<bank>>, acct <<bacct>> (verified by micro-deposits on <<dver>>).
        Amount: <<amt>>. Source: sell <<q>> <<t.sym>> at market; proceeds available after settlement under <<k:REG:Rule 15c6-1>>.
        Callback verification completed with the client at <<c.phone>> (number on file since <<y>>).
        Approved: <<ops.full>>, Operations.
    """), c=c, ops=ops, t=t, q=q, acct=g.brok_acct(), dreq=g.date(style="us2"), bank=K("COMPANY", r.choice(RETAIL_BANKS)),
        bacct=g.bank_acct(), dver=g.date(style="us2"), amt=g.money(r.randint(5, 120) * 1000, False),
        y=g.year(r.randint(2012, 2022)))


def R_meeting_notes(g, d):
    r = g.r
    c = g.person(gender="M")
    sp = g.person(gender="F", last=r.choice([c.l, c.l, None]))
    adv = g.person()
    adv.wemail(r.choice(BROKER_DOMAINS))
    a = g.addr()
    t1, t2, t3 = g.tk(pool=MEGA), g.tk(pool=DIVIDEND), g.tk(pool=["ARKK", "GLD", "QQQ"])
    w = [r.randint(10, 35) for _ in range(3)]
    d.add(T("""
        Meeting notes — <<c.full>> & <<sp.full>>, <<dmeet>>, at their home (<<a.street>>, <<a.city>>)
        Goals: retire in <<y>>; fund granddaughter's 529; keep the lake cabin.
        Current allocation (joint acct <<acct1>>; <<sp.first>>'s Roth <<acct2>>): <<w1>> <<t1.sym>>, <<w2>> <<t2.sym>>, <<w3>> <<t3.sym>>, rest in cash.
        Proposed: 60/40 glide path using <<k:TICKER:VTI>>, <<k:TICKER:VXUS>> and <<k:TICKER:BND>>; trim <<t1.sym>> gradually to manage gains.
        Delivered <<k:REG:Form ADV>> Part 2A and <<k:REG:Form CRS>>.
        Follow-up: <<sp.first>> will email statements to <<adv.email>>.
    """), c=c, sp=sp, adv=adv, a=a, t1=t1, t2=t2, t3=t3, dmeet=g.date(d=g.past(1, 20)), y=g.year(g.anchor.year + r.randint(2, 9)),
        acct1=g.brok_acct(), acct2=g.brok_acct(), w1=g.pct(w[0], nd=0), w2=g.pct(w[1], nd=0), w3=g.pct(w[2], nd=0))


def R_bank_earnings(g, d):
    r = g.r
    c1, c2, mgr = g.person(), g.person(), g.person()
    mgr.wemail(r.choice(BROKER_DOMAINS))
    tk = {s: g.tk(sym=s) for s in BANKS}
    _, q1 = g.qty(500, 4000, 100)
    _, q2 = g.qty(500, 6000, 100)
    d.add(T("""
        Bank earnings week: <<jpm.dsym>>, <<wfc.sym>> and <<c.sym>> report Friday; <<gs.sym>> and <<bac.sym>> follow Tuesday, <<ms.sym>> on Wednesday. The <<k:INDEX:KBW Nasdaq Bank Index>> is up <<p1>> year to date vs <<p2>> for the <<k:INDEX:S&P 500>>.
        Watch: <<k:COMPANY:Goldman Sachs>> trading revenue, <<k:COMPANY:Wells Fargo>> loan growth, <<k:COMPANY:Citigroup>> restructuring charges.

        Concentration flags (>15% single stock):
        - <<c1.full>> — <<q1>> <<gs.sym>> in <<a1>>
        - <<c2.full>> — <<q2>> <<jpm.sym>> in <<a2>>
        Reps: please contact these clients before the prints. Questions to <<mgr.full>>, <<mgr.email>>.
    """), jpm=tk["JPM"], wfc=tk["WFC"], c=tk["C"], gs=tk["GS"], bac=tk["BAC"], ms=tk["MS"],
        p1=g.pct(r.uniform(3, 25), sign=True), p2=g.pct(r.uniform(2, 18), sign=True), c1=c1, c2=c2, mgr=mgr,
        q1=q1, q2=q2, a1=g.brok_acct(), a2=g.brok_acct())


def R_new_account(g, d):
    r = g.r
    c, tc = g.person(), g.person()
    a = g.addr()
    emp = g.tk(pool=["LMT", "BA", "CAT", "JNJ", "PFE", "GE", "MSFT", "DE", "ABT", "PG"])
    idtype, idno = r.choice([("Driver's license", g.dl(a.sabbr)), ("U.S. passport", g.passport())])
    d.add(T("""
        NEW ACCOUNT APPLICATION — INDIVIDUAL BROKERAGE
        Name: <<c.lf>>
        Date of birth: <<c.dob>>      SSN: <<c.ssn>>
        Residential address: <<a.street>>, <<a.city>>, <<a.state>> <<a.zip>>
        Mobile: <<c.phone>>   Email: <<c.email>>
        ID: <<idtype>> <<idno>> (exp. <<dexp>>)
        Employment: <<job>>, <<emp.name>> (not associated with a FINRA member firm)
        Investment objective: growth; risk tolerance: aggressive; annual income $150k–$250k
        Trusted contact (<<k:REG:FINRA Rule 4512>>): <<tc.full>>, <<tc.phone>>
        Identity verified under <<k:REG:31 C.F.R. § 1023.220>>.
    """), c=c, tc=tc, a=a, idtype=idtype, idno=idno,
        dexp=g.date(d=dt.date(r.randint(2026, 2034), r.randint(1, 12), r.randint(1, 28)), style="us2"),
        job=r.choice(["Systems engineer", "Program manager", "Financial analyst", "Nurse practitioner", "Machinist"]),
        emp=emp)


def R_rule144(g, d):
    r = g.r
    c = g.person()
    t = g.tk(pool=STOCKS)
    _, q = g.qty(1000, 20000, 500)
    d.add(T("""
        <<k:REG:Rule 144>> sale — <<c.full>> (acct <<acct>>)
        Security: <<t.name>> (<<t.dsym>>), <<q>> restricted shares received in the <<y>> acquisition of <<target>>.
        Holding period: shares acquired <<dacq>>; the six-month period under <<k:REG:Rule 144(d)>> for a reporting issuer has run.
        Volume: greater of <<k:NUMBER:1%>> of shares outstanding or average weekly trading volume, <<k:REG:Rule 144(e)>> — not a constraint at this size.
        Legend removal: issuer counsel's opinion received <<dop>>; transfer agent <<ta>>.
        File <<k:REG:Form 144>> with the order. Client is not an affiliate. Client phone: <<c.phone>>.
    """), c=c, t=t, q=q, acct=g.brok_acct(), y=g.year(r.randint(2021, 2024)),
        target=K("COMPANY", r.choice(["Brightwave Analytics", "Corvid Robotics", "Helio Labs", "Pallas Data"])),
        dacq=g.date(), dop=g.date(), ta=K("COMPANY", r.choice(TRANSFER_AGENTS)))


def R_short_sale(g, d):
    r = g.r
    c, rep = g.person(), g.person()
    t = g.tk(pool=["GME", "AMC", "TSLA", "ROKU", "PLAY", "HOOD", "COIN", "LOVE"])
    _, q = g.qty(100, 2000, 100)
    d.add(T("""
        Short sale request from <<c.full>> (margin acct <<acct>>): SELL SHORT <<q>> <<t.sym>> @ limit <<lp>>.
        Locate: <<t.name>> is on the hard-to-borrow list; borrow fee <<fee>> annualized. Locate obtained from the stock loan desk at <<tm>> on <<dloc>> as required by <<k:REG:Rule 203(b) of Regulation SHO>>.
        Margin: a short sale requires <<k:NUMBER:150%>> initial margin under <<k:REG:Reg T>>.
        Risk: unlimited loss potential; possible buy-in if the loan is recalled. Client acknowledged by phone.
        Rep: <<rep.full>>, <<rep.phone>>.
    """), c=c, rep=rep, t=t, q=q, acct=g.brok_acct(), lp=g.money(t.price * r.uniform(1.0, 1.04)),
        fee=g.pct(r.uniform(3, 60)), tm=r.choice(["9:12 a.m. ET", "9:25 a.m. ET", "11:40 a.m. ET"]), dloc=g.date())


def R_crypto_chat(g, d):
    r = g.r
    c = g.person()
    coin, hood = g.tk(sym="COIN"), g.tk(sym="HOOD")
    ib = g.tk(sym=r.choice(["IBIT", "FBTC"]))
    _, q = g.qty(5, 300, 1)
    d.add(T("""
        Customer: <<c.full>> (ID <<cid>>)
        Issue: wants to move bitcoin from a <<coin.name>> wallet into the brokerage account. We cannot custody spot crypto; suggested spot bitcoin ETFs such as <<ib.sym>> (<<ib.name>>), or equities like <<coin.dsym>> and <<hood.dsym>>. Customer already owns <<q>> <<coin.sym>> at an average cost of <<cost>>.
        Also asked about wash sales: <<k:REG:26 U.S.C. § 1091>> applies to stock and ETF losses, including <<ib.sym>>.
        Callback scheduled <<dcb>> at <<c.phone>>.
    """), c=c, cid=g.cust_id(), coin=coin, hood=hood, ib=ib, q=q, cost=g.money(coin.price * r.uniform(0.5, 1.3)),
        dcb=g.date(when="future", style=r.choice(["md", "us2", "wd"])))


def R_recap_email(g, d):
    r = g.r
    c, rep = g.person(), g.person()
    fname = r.choice(OWN_FIRMS)
    rep.wemail(FIRM_DOMAIN[fname])
    t1, t2, t3 = g.tk(pool=DIVIDEND), g.tk(pool=SINGLE + MEGA), g.tk(pool=CORE_ETF)
    n1, q1 = g.qty(10, 500, 10)
    n2, q2 = g.qty(5, 200, 5)
    n3, q3 = g.qty(5, 200, 5)
    net = n1 * t1.price - n2 * t2.price - n3 * t3.price
    d.add(T("""
        Subject: Today's trades in your account ending <<a4>>

        Hi <<c.first>>,

        Confirming executions on <<dtrade>>:
        • Sold <<q1>> <<t1.sym>> (<<t1.name>>) @ <<t1.pxs>>
        • Bought <<q2>> <<t2.sym>> @ <<t2.pxs>>
        • Bought <<q3>> <<t3.dsym>> @ <<t3.pxs>>
        Net cash after settlement: <<net>>. Official confirmations will appear in your document center.

        Best,
        <<rep.full>> | <<firm>> | <<rep.phone>> | <<rep.email>>
    """), c=c, rep=rep, a4=g.last4(), dtrade=g.date(style=r.choice(["long", "wd", "us2"])), t1=t1, t2=t2, t3=t3,
        q1=q1, q2=q2, q3=q3, net=K("NUMBER", f"{'-' if net < 0 else ''}${abs(net):,.2f}"), firm=K("COMPANY", fname))


def R_complaint_letter(g, d):
    r = g.r
    c, cco = g.person(), g.person()
    a = g.addr()
    t = g.tk(pool=SPECULATIVE + ["ARKK"])
    _, q = g.qty(50, 2000, 50)
    d.add(T("""
        <<d0>>

        <<c.full>>
        <<a.street>>
        <<a.city>>, <<a.state>> <<a.zip>>

        Re: Your letter dated <<dletter>> — Account <<acct>>

        Dear <<c.mr>> <<c.last>>:

        Thank you for writing about the recommendation to purchase <<q>> shares of <<t.name>> (<<t.sym>>) in your account in <<y>>. We reviewed the recommendation under <<k:REG:Regulation Best Interest>> and <<k:REG:FINRA Rule 2111>>, including the investment profile you provided at account opening. The position has since declined <<pct>>.

        While we believe the recommendation was consistent with your stated objectives, we will credit <<credit>> to your account as a courtesy. You also have the right to pursue arbitration under <<k:REG:FINRA Rule 12200>>.

        Sincerely,
        <<cco.full>>
        Chief Compliance Officer, <<firm>>
    """), c=c, cco=cco, a=a, t=t, q=q, d0=g.date(when="today", style="long"), dletter=g.date(d=g.past(5, 40), style="long"), acct=g.brok_acct(),
        y=g.year(g.anchor.year - r.randint(1, 3)), pct=g.pct(r.uniform(20, 70)), credit=g.money(r.randint(5, 40) * 100, False),
        firm=g.firm())


def R_options_upgrade(g, d):
    r = g.r
    c, prin = g.person(), g.person()
    d.add(T("""
        ACCOUNT UPGRADE REQUEST — Margin & Options
        Applicant: <<c.full>> | DOB <<c.dob>> | Acct <<acct>> | <<c.email>>
        Requested level: 3 (spreads); current level: 1 (covered calls)
        Experience: stocks 12 years, options 3 years (~40 trades/yr); annual income <<inc>>; liquid net worth <<nw>>
        Objective: speculation (secondary: growth)

        Principal review under <<k:REG:FINRA Rule 2360(b)(16)>>: approved for level 3 on <<dappr>> by <<prin.full>>. Customer must return the signed options agreement within 15 days, and margin privileges are subject to <<k:REG:Regulation T>> and <<k:REG:FINRA Rule 4210>>.
    """), c=c, prin=prin, acct=g.brok_acct(), inc=g.money(r.randint(90, 400) * 1000, False),
        nw=g.money(r.randint(100, 2000) * 1000, False), dappr=g.date())


def R_tool_rebalance(g, d):
    r = g.r
    c = g.person()
    syms = r.sample(["VTI", "VOO", "VXUS", "BND", "TLT", "GLD", "QQQ", "IWM"], 4)
    ws = [r.randint(5, 50) for _ in syms]
    tot = sum(ws)
    ws = [round(w / tot, 2) for w in ws]
    ws[-1] = round(1 - sum(ws[:-1]), 2)
    ts = [g.tk(sym=s) for s in syms]
    v = {f"t{i}": ts[i].sym for i in range(4)}
    v.update({f"w{i}": g.num(f"{ws[i]:.2f}") for i in range(4)})
    d.add(r.choice(["Rebalancing per the approved IPS.\n", "Submitting quarterly rebalance:\n", ""]))
    d.add_json(T("""
        {"tool": "rebalance_portfolio", "arguments": {"account_id": "<<acct>>", "owner": "<<c.full>>", "target_weights": {"<<t0>>": <<w0>>, "<<t1>>": <<w1>>, "<<t2>>": <<w2>>, "<<t3>>": <<w3>>}, "tax_lot_method": "HIFO", "max_turnover": <<mt>>, "as_of": "<<dasof>>", "notify": "<<c.email>>"}}
    """), acct=g.brok_acct(), c=c, mt=g.num(f"0.{r.randint(5, 30):02d}"), dasof=g.date(style="iso"), **v)


def R_estate(g, d):
    r = g.r
    dec = g.person()
    b1, b2 = g.person(last=r.choice([dec.l, None])), g.person()
    dd = g.weekday()
    t1, t2, t3 = g.tk(sym="BRK.B") if r.random() < 0.5 else g.tk(pool=MEGA), g.tk(pool=DIVIDEND), g.tk(pool=DIVIDEND)
    _, q1 = g.qty(10, 800, 1)
    _, q2 = g.qty(10, 800, 1)
    _, q3 = g.qty(10, 800, 1)
    d.add(T("""
        Estate processing — decedent <<dec.full>>, date of death <<dod>>
        Account <<acct>> (individual, TOD). Beneficiaries: <<b1.full>> (<<k:NUMBER:50%>>), <<b2.full>> (<<k:NUMBER:50%>>).
        Documents received: certified death certificate; <<b1.first>>'s W-9 (SSN <<b1.ssn>>); <<b2.first>>'s W-9 pending.
        Holdings at date of death: <<q1>> <<t1.sym>>, <<q2>> <<t2.sym>>, <<q3>> <<t3.sym>>. Cost basis steps up to date-of-death value under <<k:REG:26 U.S.C. § 1014>>; <<t1.name>> closed at <<t1.pxs>> that day.
        New inherited accounts: <<na1>> (<<b1.last>>) and <<na2>> (<<b2.last>>).
    """), dec=dec, b1=b1, b2=b2, dod=g.date(d=dd), acct=g.brok_acct(), t1=t1, t2=t2, t3=t3, q1=q1, q2=q2, q3=q3,
        na1=g.brok_acct(), na2=g.brok_acct())


def R_call_transcript(g, d):
    r = g.r
    f, l, firm = r.choice(FIRM_NAMESAKES)
    c = g.person(first=f, last=l, gender="M")
    rep = g.person()
    t1, t2 = g.tk(pool=STOCKS), g.tk(pool=CORE_ETF)
    _, q = g.qty(20, 800, 10)
    _, q2 = g.qty(10, 300, 5)
    fk = K("COMPANY", firm)
    d.add(T("""
        CALL TRANSCRIPT — <<fk>> client services — <<dcall>>
        [00:00:04] Rep (<<rep.first>>): Thanks for calling <<fk>>, this is <<rep.first>>. Who am I speaking with?
        [00:00:09] Caller: Hi, it's <<c.full>>. Yes, like the firm. My account ends in <<a4>>.
        [00:00:15] Rep: Ha, we hear that now and then. Can you verify your date of birth?
        [00:00:19] Caller: <<c.dob>>.
        [00:00:24] Rep: Thank you, <<c.mr>> <<c.last>>. How can I help?
        [00:00:27] Caller: I want to sell all <<q>> of my <<t1.name>> shares and buy <<q2>> <<t2.sym>> with the proceeds.
        [00:00:41] Rep: <<t1.sym>> is at <<t1.pxs>> right now, so that's roughly <<proc>> before settlement. Shall I place both at market?
        [00:00:46] Caller: Yes please. And send the confirmation to <<c.email>>.
    """), fk=fk, c=c, rep=rep, dcall=g.date(style="us2"), a4=g.last4(), t1=t1, t2=t2, q=q, q2=q2,
        proc=g.money(t1.price * int(q.text.replace(",", "")), False))


def R_tool_alert(g, d):
    r = g.r
    c = g.person()
    t = g.tk(pool=WORD_TICKERS + MEGA)
    lvl = t.price * r.uniform(0.85, 0.97)
    d.add(r.choice(["Setting the price alert you asked for.\n", "", "Alert created via tool:\n"]))
    d.add_json(T("""
        {"tool": "create_price_alert", "arguments": {"symbol": "<<sym>>", "condition": "price_below", "value": <<lvl>>, "notify": {"email": "<<c.email>>", "sms": "<<c.phone>>"}, "owner": "<<c.full>>", "account": "<<acct>>", "expires": "<<dexp>>"}}
    """), sym=K("TICKER", r.choice(["$", ""]) + t.s), lvl=g.num(f"{lvl:.2f}"), c=c, acct=g.brok_acct(), dexp=g.date(when="future", style="iso"))


def R_rates_update(g, d):
    r = g.r
    c1, c2 = g.person(), g.person()
    lo = r.choice([3.5, 3.75, 4.0, 4.25, 4.5, 5.25])
    d.add(T("""
        Rates update: the <<k:INDEX:Fed funds rate>> target range is <<rng>> after this week's meeting. The <<k:INDEX:2-year Treasury>> yields <<y2>> and the <<k:INDEX:10-year Treasury>> <<y10>>. Long duration (<<k:TICKER:TLT>>) rallied <<p1>>; small caps (<<k:INDEX:Russell 2000>>, <<k:TICKER:IWM>>) beat the <<k:INDEX:Nasdaq-100>> by <<p2>>.

        Client action items:
        • <<c1.full>> (acct <<a1>>): CD maturing <<dmat>> — reinvest in 6-month bills or extend to a 3-year ladder?
        • <<c2.full>> asked about locking in yields before further cuts; call back at <<c2.phone>>.
    """), rng=K("NUMBER", f"{lo:.2f}%–{lo + 0.25:.2f}%"), y2=g.pct(r.uniform(3.4, 4.9), nd=2),
        y10=g.pct(r.uniform(3.8, 4.8), nd=2), p1=g.pct(r.uniform(0.5, 3), sign=True), p2=g.pct(r.uniform(0.3, 2)),
        c1=c1, c2=c2, a1=g.brok_acct(), dmat=g.date(d=g.future(5, 60)))


def R_fee_chat(g, d):
    r = g.r
    c, adv = g.person(), g.person()
    d.add(T("""
        Customer (<<c.full>>): Why am I paying a <<fee>> advisory fee AND <<k:TICKER:ARKK>>'s expense ratio? My adviser <<adv.full>> never explained that.
        Agent: I understand the frustration, <<c.first>>. Your wrap account (<<acct>>) charges <<fee>> a year on assets under management. Separately, <<k:INDEX:ARK Innovation ETF>> has an expense ratio of <<k:NUMBER:0.75%>>, which is taken inside the fund. Both are described in <<k:REG:Form ADV>> Part 2A and your <<k:REG:Form CRS>>.
        Agent: I've opened review ticket <<tkt>>. <<adv.first>>'s branch manager will call you at <<c.phone>> within two business days.
    """), c=c, adv=adv, fee=g.pct(r.choice([1.0, 1.25, 1.5, 1.75]), nd=2), acct=g.brok_acct(), tkt=g.ticket())


def R_split(g, d):
    r = g.r
    c, rep = g.person(), g.person()
    rep.wemail(r.choice(BROKER_DOMAINS))
    t = g.tk(sym="NVDA")
    n = r.randint(5, 120)
    b = r.uniform(200, 900)
    lp = r.uniform(900, 1400)
    d.add(T("""
        Corporate action notice — <<c.full>>, acct <<acct>>
        <<t.name>> (<<t.dsym>>) completed a 10-for-1 stock split in June <<k:YEAR:2024>>. Your <<q>> shares became <<q10>> shares, and your per-share cost basis was adjusted from <<b>> to <<b10>>. The split is not a taxable event.
        Open good-'til-canceled orders were adjusted: sell limit <<lp>> → <<lp10>>.
        Questions: <<rep.full>>, <<rep.email>>, or <<rep.phone>>.
    """), c=c, rep=rep, t=t, acct=g.brok_acct(), q=g.num(f"{n:,}"), q10=g.num(f"{n * 10:,}"), b=g.money(b),
        b10=g.money(b / 10), lp=g.money(lp), lp10=g.money(lp / 10))


def R_trade_error(g, d):
    r = g.r
    c, rep = g.person(), g.person()
    a = g.addr()
    t = g.tk(pool=SINGLE)
    p1 = t.price
    p2 = p1 * r.uniform(1.002, 1.03)
    d.add(T("""
        TRADE ERROR REPORT
        Date: <<dtrade>>   Rep: <<rep.full>>   Branch: <<a.city>>, <<a.state>>
        Client: <<c.full>> (acct <<acct>>)

        What happened: client asked to sell <<k:NUMBER:100>> <<t.sym>> (<<t.name>>); the rep entered SELL <<k:NUMBER:1,000>> <<t.sym>>. The excess <<k:NUMBER:900>> shares were repurchased at <<px2>> vs. the sale at <<px1>>; the loss of <<loss>> was moved to error account <<err>>. Client made whole and notified by phone (<<c.phone>>) the same day.
        Supervisory review under <<k:REG:FINRA Rule 3110>>.
    """), c=c, rep=rep, a=a, t=t, dtrade=g.date(style="us2"), acct=g.brok_acct(), px1=g.money(p1), px2=g.money(p2),
        loss=g.money((p2 - p1) * 900), err=P("ACCOUNT", f"ERR-{g._D(6)}"))


def R_drip_chat(g, d):
    r = g.r
    c = g.person()
    v, ma = g.tk(sym="V"), g.tk(sym="MA")
    ko = g.tk(pool=DIVIDEND)
    d.add(T("""
        me: can you turn on dividend reinvestment for <<v.sym>> and <<ma.sym>> but NOT <<ko.sym>>? acct <<acct>>
        bot: Sure. To confirm: DRIP on for <<v.name>> (<<v.sym>>) and <<ma.name>> (<<ma.sym>>), off for <<ko.name>> (<<ko.sym>>), in the account ending <<a4>> owned by <<c.full>>. Reinvested shares are bought at the market on the pay date, and each reinvestment creates a new tax lot.
        me: yes. and update my address, i moved to <<a.street>>, <<a.city>> <<a.zip>>
        bot: Updated. For your security we sent a notice to <<c.email>> and to your previous address. Anything else?
    """), c=c, v=v, ma=ma, ko=ko, acct=P("ACCOUNT", g._D(8)), a4=g.last4(), a=g.addr())


def R_ato_fraud(g, d):
    r = g.r
    c, x = g.person(), g.person()
    t = g.tk(pool=MEGA + CORE_ETF)
    _, q = g.qty(20, 600, 1)
    d.add(T("""
        FRAUD ALERT — possible account takeover
        Account: <<acct>> (<<c.full>>)
        <<dalert>>: email changed from <<c.email>> to <<x.email>> and phone from <<c.phone>> to <<x.phone>> through the online profile. Within 20 minutes, a market sell of all <<q>> <<t.sym>> and a withdrawal of <<amt>> to a newly linked bank account (<<bacct>>) were entered.
        Action: trading restricted, withdrawal cancelled, credentials reset. Client confirmed by callback to the number on file since <<y>>. Red-flag procedures under <<k:REG:Regulation S-ID>>; SAR review under <<k:REG:31 C.F.R. § 1023.320>>.
    """), c=c, x=x, t=t, q=q, acct=g.brok_acct(), dalert=g.date(style=r.choice(["iso", "us2", "long"])),
        amt=g.money(r.randint(5, 95) * 1000, False), bacct=g.bank_acct(), y=g.year(r.randint(2014, 2022)))


def R_treasury(g, d):
    r = g.r
    c = g.person()
    a = g.addr(state=r.choice(["CA", "NY", "NJ", "MA", "OR", "MN"]))
    td = g.weekday()
    cus = "91282C" + "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(2)) + str(r.randint(0, 9))
    d.add(T("""
        Fixed income order — <<c.full>>, acct <<acct>>
        BUY <<face>> face U.S. Treasury note, CUSIP <<cus>>, <<cpn>> coupon, maturing <<my>>, at <<px>> (yield to maturity <<ytm>>). Trade date <<td>>; settles <<sd>>.
        Rationale: the <<k:INDEX:10-year Treasury>> yield is near <<y10>>, and Treasury interest is exempt from state income tax in <<a.state_full>>, which matters given the client's bracket. Client residence: <<a.city>>.
    """), c=c, a=a, acct=g.brok_acct(), face=g.money(r.randint(5, 200) * 1000, False), cus=g.num(cus),
        cpn=g.pct(r.choice([3.875, 4.0, 4.125, 4.25, 4.375, 4.5]), nd=3), my=g.year(g.anchor.year + r.randint(2, 10)),
        px=g.num(f"{r.uniform(97, 102):.3f}"), ytm=g.pct(r.uniform(3.6, 4.7), nd=2), td=g.date(d=td, style="us2"),
        sd=g.date(d=_settle(g, td), style="us2"), y10=g.pct(r.uniform(3.8, 4.8), nd=2))


def R_market_wrap(g, d):
    r = g.r
    c, adv = g.person(), g.person()
    ts = [g.tk(pool=WORD_TICKERS) for _ in range(3)]
    m = g.tk(pool=MEGA)
    d.add(T("""
        MARKET WRAP
        The <<k:INDEX:Dow Jones Industrial Average>> closed <<p1>> and the <<k:INDEX:S&P 500>> <<p2>>; notable single-stock moves: <<t0.exsym>> <<t0.chg>>, <<t1.dsym>> <<t1.chg>>, and <<t2.sym>> <<t2.chg>>. <<m.name>> (<<m.sym>>) slipped <<mchg>> after its <<k:REG:SEC Form 10-K>> flagged supply constraints. Ratings agencies <<k:COMPANY:Moody's>> and <<k:COMPANY:Standard & Poor's>> left sovereign outlooks unchanged.

        Personal note for <<c.full>>: your limit order on <<t0.sym>> filled at <<t0.pxs>> on <<dfill>>. — <<adv.full>>, <<adv.phone>>
    """), t0=ts[0], t1=ts[1], t2=ts[2], m=m, c=c, adv=adv, p1=g.pct(r.uniform(-1.5, 1.5), sign=True),
        p2=g.pct(r.uniform(-1.5, 1.5), sign=True), mchg=g.pct(r.uniform(0.5, 4)), dfill=g.date(style="md"))


def R_pharma_note(g, d):
    r = g.r
    rep = g.person()
    f, l, sym = r.choice([("Eli", "Lilly", "LLY"), ("Robert", "Johnson", "JNJ"), ("Wallace", "Abbott", "ABT"),
                          ("Donald", "Baxter", "BAX"), ("Edward", "Squibb", "BMY")])
    c = g.person(first=r.choice([f, None]), last=l)
    t = g.tk(sym=sym)
    o1, o2 = g.tk(pool=["PFE", "JNJ", "LLY", "ABT", "BMY", "BAX"]), g.tk(pool=["PFE", "JNJ", "LLY", "ABT", "BMY", "BAX"])
    _, q = g.qty(50, 1500, 25)
    d.add(T("""
        Healthcare sleeve review — <<dte>>
        Client: <<c.full>> (acct <<acct>>) — yes, same surname as the company; no affiliation.
        Position: <<q>> <<t.sym>> (<<t.name>>) at <<t.pxs>>; healthcare is <<w>> of the account.
        Peers: <<o1.name>> (<<o1.sym>>) <<o1.chg>>, <<o2.name>> (<<o2.sym>>) <<o2.chg>> this quarter.
        Plan: hold; revisit after the next <<k:REG:Form 10-Q>>. Rep <<rep.full>> to confirm with the client at <<c.phone>>.
    """), c=c, rep=rep, t=t, o1=o1, o2=o2, q=q, acct=g.brok_acct(), dte=g.date(),
        w=g.pct(r.uniform(8, 30)))


TRADING_TEMPLATES = [R_confirm, R_morning_note, R_suitability, R_chat_support, R_tool_order, R_founder_client,
                     R_options_ticket, R_10b51, R_acats, R_margin_call, R_1099, R_complaint_unauth, R_senior,
                     R_word_ticker_chat, R_tool_quotes, R_withdrawal, R_meeting_notes, R_bank_earnings,
                     R_new_account, R_rule144, R_short_sale, R_crypto_chat, R_recap_email, R_complaint_letter,
                     R_options_upgrade, R_tool_rebalance, R_estate, R_call_transcript, R_tool_alert,
                     R_rates_update, R_fee_chat, R_split, R_trade_error, R_drip_chat, R_ato_fraud, R_treasury,
                     R_market_wrap, R_pharma_note]


# ============================================================================ driver

CHECK_KEEP = ("TICKER", "COMPANY", "CITATION", "INDEX", "LEGAL_TERM", "STATUTE", "RULE", "REG", "COURT", "STATE",
              "YEAR")


def validate(doc):
    text = doc.text
    spans = sorted(doc.pii + doc.keep, key=lambda s: (s["start"], s["end"]))
    for a, b in zip(spans, spans[1:]):
        if b["start"] < a["end"]:
            return f"overlap {text[a['start']:a['end']]!r} / {text[b['start']:b['end']]!r}"
    ivs = [(s["start"], s["end"]) for s in spans]
    for s in doc.pii + [k for k in doc.keep if k["label"] in CHECK_KEEP]:
        tok = text[s["start"]:s["end"]]
        if not tok or tok != tok.strip():
            return f"bad token {tok!r}"
        if len(tok) < 2:
            continue
        for m in re.finditer(r"(?<![A-Za-z0-9])" + re.escape(tok) + r"(?![A-Za-z0-9])", text):
            if not any(a <= m.start() and m.end() <= b for a, b in ivs):
                return f"uncovered occurrence of {tok!r} ({s['label']})"
    for a, b in doc.json_ranges:
        try:
            json.loads(text[a:b])
        except ValueError as e:
            return f"bad json: {e}"
    return None


def build(domain, templates, n, g):
    order = []
    while len(order) < n:
        block = list(range(len(templates)))
        g.r.shuffle(block)
        order += block
    out = []
    for i, ti in enumerate(order[:n], 1):
        last = None
        for _ in range(200):
            g.reset()
            doc = Doc()
            templates[ti](g, doc)
            last = validate(doc)
            if last is None:
                break
        else:
            raise RuntimeError(f"{templates[ti].__name__}: {last}")
        text = doc.text
        pii = sorted(doc.pii, key=lambda s: s["start"])
        keep = sorted(doc.keep, key=lambda s: s["start"])
        for s in pii + keep:
            assert text[s["start"]:s["end"]] and s["end"] <= len(text)
        out.append({"id": f"{domain}-{i:04d}", "domain": domain, "text": text, "pii": pii, "keep": keep})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=3031)
    ap.add_argument("--n", type=int, default=200, help="cases per domain")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.jsonl"))
    args = ap.parse_args()
    g = Gen(args.seed)
    rows = build("legal", LEGAL_TEMPLATES, args.n, g) + build("trading", TRADING_TEMPLATES, args.n, g)
    with open(args.out, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    # re-read and re-check offsets against the file as written
    with open(args.out, encoding="utf-8") as fh:
        back = [json.loads(line) for line in fh]
    assert len(back) == len(rows)
    for row, orig in zip(back, rows):
        assert row["text"] == orig["text"]
        for s in row["pii"] + row["keep"]:
            assert row["text"][s["start"]:s["end"]] == orig["text"][s["start"]:s["end"]]
    print(f"wrote {len(rows)} cases to {args.out}")


if __name__ == "__main__":
    main()
