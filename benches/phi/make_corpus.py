#!/usr/bin/env python3
"""Generate a labelled, synthetic PHI/PII corpus with Faker (deterministic per seed).

usage: make_corpus.py [--seed 7] [--docs 2000] --out corpus.jsonl

One JSON object per line:

    {"id": "doc-000001", "locale": "de_DE", "text": "...",
     "entities": [{"start": 12, "end": 25, "label": "NAME"}, ...]}

start/end are Python str offsets (Unicode code points), end exclusive; entities are
exact (no surrounding blanks or punctuation), sorted and non-overlapping, and always
begin and end on a `\\w+` token boundary, so every token of the text is either wholly
inside one entity or wholly outside all of them.

Documents are English clinical notes, chat answers, discharge summaries, referral
letters and agent tool-call traces, built from 2-8 randomly chosen sentence templates.
Every PHI value (names, addresses, phone numbers, identifiers, dates, ...) is drawn
from Faker, for one Faker locale per document (en_US about half of the time, otherwise
en_GB, en_IN, es_MX, de_DE, fr_FR, it_IT, pt_BR, nl_NL or pl_PL). The only fixed lists
in this file are NON-PHI distractors (drugs, labs, vitals, ICD-10 codes, departments, ...)
that a detector must leave alone, and the English words around the values.

Labels (see README.md): NAME STREET_ADDRESS CITY POSTAL_CODE DATE AGE PHONE FAX EMAIL
SSN MRN HEALTH_PLAN ACCOUNT LICENSE VEHICLE DEVICE URL IP_ADDRESS BIOMETRIC ID.

Determinism: one random.Random(seed) drives all structural choices and one Faker
instance per locale is seeded from the same seed; no Faker call whose result depends
on today's date is used (date_of_birth, date_time, pl_PL ssn, es_MX curp, ...); and
since some Faker locales build their value lists from Python sets (it_IT cities),
whose order depends on string hashing, the script re-executes itself with
PYTHONHASHSEED=0. So a given seed with the pinned Faker (constraints.txt) on
CPython 3.11 always gives byte-identical output, whatever the date.
"""

import os
import sys

if __name__ == "__main__" and os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"  # see "Determinism" above
    os.execv(sys.executable, [sys.executable] + sys.argv)

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import ipaddress  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
from collections import Counter  # noqa: E402

from faker import Faker  # noqa: E402
from faker.providers.ssn.pl_PL import calculate_month, checksum as pesel_checksum  # noqa: E402

LABELS = (
    "NAME", "STREET_ADDRESS", "CITY", "POSTAL_CODE", "DATE", "AGE", "PHONE", "FAX",
    "EMAIL", "SSN", "MRN", "HEALTH_PLAN", "ACCOUNT", "LICENSE", "VEHICLE", "DEVICE",
    "URL", "IP_ADDRESS", "BIOMETRIC", "ID",
)

# Locale -> relative weight: en_US is about half of the documents.
LOCALES = (
    ("en_US", 9), ("en_GB", 1), ("en_IN", 1), ("es_MX", 1), ("de_DE", 1),
    ("fr_FR", 1), ("it_IT", 1), ("pt_BR", 1), ("nl_NL", 1), ("pl_PL", 1),
)

# How each locale orders "street, [postcode] city [postcode]" on one line.
POSTCODE_BEFORE_CITY = {"es_MX", "de_DE", "fr_FR", "it_IT", "nl_NL", "pl_PL"}

# What a locale calls its social-security / national-insurance style number, and the
# Faker method producing it (all labelled SSN).
NATIONAL_ID = {
    "en_US": (("SSN", "social security number", "SSN#"), "ssn"),
    "en_GB": (("NI number", "National Insurance number", "NINO"), "ssn"),
    "en_IN": (("Aadhaar", "Aadhaar number", "Aadhaar no."), "aadhaar_id"),
    "es_MX": (("NSS", "social security number (NSS)", "IMSS NSS"), "ssn"),
    "de_DE": (("SSN", "US social security number", "SSN"), "ssn"),
    "fr_FR": (("NIR", "numéro de sécurité sociale", "social security number"), "ssn"),
    "it_IT": (("codice fiscale", "tax code (codice fiscale)", "CF"), "ssn"),
    "pt_BR": (("CPF", "CPF number", "CPF no."), "cpf"),
    "nl_NL": (("BSN", "citizen service number (BSN)", "BSN"), "ssn"),
    "pl_PL": (("PESEL", "PESEL number", "PESEL no."), "pesel"),
}

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

# Letters used in synthetic identifiers (no I/O to look realistic).
ID_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"

# ------------------------------------------------------------------ non-PHI distractors
# None of these may ever be labelled: they are what a clinical PHI detector must ignore.

DRUGS = (
    ("metformin", ("500 mg twice daily", "1000 mg BID", "850 mg with meals")),
    ("Lisinopril", ("10mg", "20 mg once daily", "5 mg daily")),
    ("warfarin", ("5 mg", "2.5 mg in the evening", "3 mg daily")),
    ("atorvastatin", ("40 mg at night", "20mg nightly", "80 mg daily")),
    ("Amlodipine", ("5 mg daily", "10mg once a day")),
    ("levothyroxine", ("75 mcg every morning", "100 mcg daily")),
    ("insulin glargine", ("22 units at bedtime", "14 units nightly")),
    ("Apixaban", ("5 mg BID", "2.5 mg twice daily")),
    ("furosemide", ("40 mg IV", "20 mg PO daily")),
    ("omeprazole", ("20 mg before breakfast", "40mg daily")),
    ("sertraline", ("50 mg daily", "100 mg once daily")),
    ("Prednisone", ("40 mg daily for 5 days", "10 mg taper")),
    ("amoxicillin", ("500 mg TID", "875 mg BID for 7 days")),
    ("paracetamol", ("1 g QID PRN", "500 mg every 6 hours as needed")),
    ("Ibuprofen", ("400 mg q8h PRN", "600mg TID with food")),
    ("salbutamol", ("2 puffs PRN", "100 mcg inhaler as needed")),
    ("Metoprolol succinate", ("25 mg daily", "50 mg once daily")),
    ("gabapentin", ("300 mg TID", "100 mg at night")),
    ("Losartan", ("50 mg daily", "100mg qd")),
    ("aspirin", ("81 mg daily", "75 mg once daily")),
    ("ceftriaxone", ("1 g IV q24h", "2 g IV daily")),
    ("Enoxaparin", ("40 mg SC daily", "1 mg/kg BID")),
)
LABS = (
    lambda r: f"HbA1c {r.uniform(5.0, 11.5):.1f}%",
    lambda r: f"potassium {r.uniform(3.0, 5.9):.1f} mmol/L",
    lambda r: f"creatinine {r.uniform(0.5, 3.2):.1f} mg/dL",
    lambda r: f"WBC {r.uniform(2.5, 19.0):.1f} x10^9/L",
    lambda r: f"hemoglobin {r.uniform(7.5, 16.5):.1f} g/dL",
    lambda r: f"sodium {r.randint(124, 148)} mmol/L",
    lambda r: f"LDL {r.randint(55, 210)} mg/dL",
    lambda r: f"TSH {r.uniform(0.2, 9.0):.2f} mIU/L",
    lambda r: f"INR {r.uniform(0.9, 4.5):.1f}",
    lambda r: f"eGFR {r.randint(15, 110)} mL/min/1.73m2",
    lambda r: f"troponin {r.uniform(0.01, 0.9):.2f} ng/mL",
    lambda r: f"CRP {r.randint(1, 240)} mg/L",
    lambda r: f"platelets {r.randint(90, 450)} x10^9/L",
    lambda r: f"glucose {r.uniform(3.5, 22.0):.1f} mmol/L",
    lambda r: f"lactate {r.uniform(0.5, 6.0):.1f} mmol/L",
)
LAB_NAMES = ("HbA1c", "potassium", "creatinine", "CBC", "lipid panel", "TSH", "INR",
             "renal function", "liver function tests", "troponin")
VITALS = (
    lambda r: f"BP {r.randint(92, 182)}/{r.randint(52, 108)} mmHg",
    lambda r: f"HR {r.randint(48, 132)} bpm",
    lambda r: f"T {r.uniform(35.8, 39.9):.1f} °C",
    lambda r: f"SpO2 {r.randint(86, 100)}%",
    lambda r: f"RR {r.randint(10, 32)}/min",
    lambda r: f"weight {r.randint(45, 140)} kg",
    lambda r: f"BMI {r.uniform(17.5, 41.0):.1f}",
    lambda r: f"temp {r.uniform(97.0, 103.5):.1f} F",
)
DIAGNOSES = (
    ("type 2 diabetes mellitus", "E11.9"), ("essential hypertension", "I10"),
    ("asthma", "J45.909"), ("chronic kidney disease stage 3", "N18.30"),
    ("atrial fibrillation", "I48.91"), ("major depressive disorder", "F32.9"),
    ("community-acquired pneumonia", "J18.9"), ("GERD", "K21.9"),
    ("low back pain", "M54.50"), ("hyperlipidemia", "E78.5"),
    ("heart failure", "I50.9"), ("urinary tract infection", "N39.0"),
    ("COPD with exacerbation", "J44.1"), ("hypothyroidism", "E03.9"),
    ("iron deficiency anaemia", "D50.9"), ("osteoarthritis of the knee", "M17.11"),
    ("migraine", "G43.909"), ("cellulitis of the leg", "L03.119"),
)
COMPLAINTS = ("chest pain", "shortness of breath", "fever and productive cough",
              "dizziness", "abdominal pain", "a fall at home", "palpitations",
              "worsening leg swelling", "confusion", "polyuria and polydipsia")
SYMPTOMS = ("intermittent headaches", "fatigue", "poor sleep", "knee pain",
            "night sweats", "reduced appetite", "a dry cough", "ankle swelling")
DEPARTMENTS = ("Cardiology", "Emergency Department", "Internal Medicine", "Oncology",
               "Nephrology", "ICU", "Orthopaedics", "Pediatrics", "Radiology",
               "Endocrinology clinic", "Neurology", "General Surgery", "Geriatrics",
               "Pulmonology", "Dermatology outpatient clinic", "Psychiatry")
CAPWORDS = ("Afebrile", "Comfortable", "Stable", "Alert", "Improving", "Ambulating",
            "Tolerating diet", "Euvolemic")
ALLERGIES = ("penicillin (rash)", "sulfa drugs", "latex", "codeine (nausea)",
             "shellfish", "ACE inhibitors (cough)")
LANGUAGES = ("Polish", "Spanish", "Portuguese", "Hindi", "German", "French", "Italian",
             "Dutch")
# Relations of a female / male relative.
RELATIONS = (("daughter", "wife", "sister", "niece", "granddaughter", "partner", "mother"),
             ("son", "husband", "brother", "nephew", "grandson", "partner", "father"))

# ---------------------------------------------------------------------- templates
# `{slot}` is filled by Ctx.s_<slot>(); everything else is literal, unlabelled text.
# (JSON braces in tool-call templates never match the slot pattern.)

BODY = (
    "{pname} is a {page}-year-old {sexnoun} admitted to {dept} with {dxicd}.",
    "{pname} is a {page}-year-old {sexnoun} with a history of {dxicd}.",
    "Patient {pname}, DOB {dob}, presented with {complaint}.",
    "{ptitle_last} was seen in {dept} on {date} for follow-up of {dx}.",
    "Lives at {address} with {rel} {relname}.",
    "Home address: {address}.",
    "Contact number {phone}; fax {fax}.",
    "Please send the records to {email} or fax them to {fax}.",
    "The patient's {ssn_phrase} was verified at registration.",
    "{mrn_phrase}; {hp_phrase}.",
    "Insurance on file: {hp_phrase}.",
    "Current medications: {med}, {med} and {med}.",
    "Labs on {date}: {lab}, {lab}, {lab}.",
    "Vitals: {vital}, {vital}, {vital}, {vital}.",
    "Started {med}; continue {med}.",
    "Diagnoses: {dxicd}; {dxicd}.",
    "The copay was charged to card {cc}.",
    "A refund was issued to IBAN {iban}.",
    "Billing: {acct_phrase}.",
    "Prescriber {doctor}, DEA {dea}, {lic_phrase}.",
    "The {lic_phrase} was scanned at check-in.",
    "The patient arrived by car ({vehicle_phrase}).",
    "Parking permit issued for plate {plate}; vehicle VIN {vin}.",
    "Pacemaker {device_phrase} interrogated on {date}; battery OK.",
    "Glucose meter paired with the patient's phone (MAC {mac}).",
    "Telehealth session from IP {ip} on {date}.",
    "Portal link: {url}",
    "The patient uploaded images via {url} from {ip}.",
    "Biometric enrollment: {bio_phrase}.",
    "A file under {id_phrase} was opened by the risk management team.",
    "Seen by {doctor} and {nurse} in {dept}.",
    "{Rel} {relname} ({phone}) is the emergency contact.",
    "{pfirst} reports {symptom} since {mdate}.",
    "{Parent} {relname} died at age {age}.",
    "Father died aged {age} of {dx}.",
    "Sister died at {youngage} of {dx}.",
    "Age: {page}. Sex: {sexletter}.",
    "Triage - age: {page}, {vital}, {vital}.",
    "Diagnosed with {dx} in {year}; on {drug} since {year}.",
    "Take {frac} tablet of {drug} at night.",
    "Pain score {pain}/10, strength {strength}/5 in the left arm.",
    "{vital} on {date}, repeat {vital}.",
    "{capword} overnight; {vital}, {vital}.",
    "Denies chest pain, dyspnoea or fever.",
    "Assessment: {dxicd}, stable.",
    "Plan: increase {med}, recheck {labname} in {weeks} weeks.",
    "Next appointment {date} with {doctor} at the {dept}.",
    "Referred by {doctor} ({lic_phrase}).",
    "Emergency contact: {relname}, {rel}, tel. {phone}.",
    "Prior address {street}, {city} (until {year}).",
    "Born {dob} in {city}.",
    "Admitted {fulldate}, discharged {fulldate}.",
    "Last colonoscopy {mdate}; next due in {year}.",
    "The CT scan of {date} was reviewed by {doctor}.",
    "Claims were submitted under {hp_phrase} and {id_phrase}.",
    "Wearable {device_phrase} last synced on {date}.",
    "The remote monitoring hub at {ip} reported {vital}.",
    "User {email} logged in from {ip}.",
    "{ptitle_last} asked that results be emailed to {email}.",
    "Lab accession number {accession} collected {date}: {lab}.",
    "Called {relname} at {phone} to discuss the {labname} results.",
    "{pname}, aged {page}, still lives independently in {city}.",
    "HbA1c trend: {hba1c}% in {year}, {hba1c}% in {mdate}.",
    "Allergies: {allergy}.",
    "Interpreter requested; {relname} ({rel}) speaks {language}.",
    "Biometric templates ({bio_phrase}) are linked to {mrn_phrase}.",
    "Scanned {lic_phrase}; plate {plate}.",
    "{pname}'s {rel} {relname} lives at {address}.",
    "Follow-up in {dept} in {weeks} weeks; call {phone} to reschedule.",
    "The home device ({device_phrase}) is registered to {pname}.",
    "{pname} ({page} y/o) was transferred from {dept} to {dept}.",
    "Family history: {Parent} had {dx}, diagnosed in {year}.",
    "Rx: {drug} {frac} tablet daily, {med}.",
    "Reviewed in {dept} MDT; ICD-10 {icd} and {icd} coded.",
    "Mobile {phone}, work phone {phone}.",
    "Faxed the referral to {fax} on {date}.",
    "Send the invoice to {street}, {postcode} {city}.",
    "Identity confirmed with {ssn_phrase} and date of birth {dob}.",
    "Registration: {pfull}, {ssn_phrase}, {mrn_phrase}.",
)

# Opening / closing lines per document type (also sentence templates).
OPEN = {
    "note": (
        "Progress note, {dept}, {fulldate}.",
        "Clinic note for {pname}, seen {fulldate}.",
        "CC: {complaint}. Patient: {pname}, DOB {dob}.",
        "{Capword}. {pname}, {mrn_phrase}.",
    ),
    "chat": (
        "Sure, here is a summary of the record for {pname}.",
        "Here's what I found for {pname} (DOB {dob}):",
        "Based on the chart, {ptitle_last} is doing better.",
    ),
    "discharge": (
        "DISCHARGE SUMMARY. Patient: {plastfirst}. {mrn_phrase}.",
        "Discharge summary for {pname}, admitted {fulldate} to {dept}.",
    ),
    "referral": (
        "Dear {doctor},",
        "Re: {pname}, DOB {dob}, {address}.",
        "Thank you for seeing {ptitle_last}, a {page}-year-old {sexnoun}.",
    ),
    "tool": (
        'call ehr.search_patient({"name": "{pfull}", "dob": "{isodob}"})',
        'call identity.verify({"ssn": "{ssn}", "last_name": "{plast}", "zip": "{postcode}"})',
        'call scheduling.book({"patient": "{pfull}", "date": "{isodate}", "dept": "{dept}"})',
        'call billing.charge({"card": "{cc}", "amount": 25.00, "currency": "USD"})',
        'call devices.lookup({"serial": "{serial}", "mac": "{mac}", "owner_mrn": "{mrn}"})',
    ),
}
CLOSE = {
    "note": ("Signed: {doctor}.", "Electronically signed by {doctor} on {fulldate}.",
             "Discussed with the attending; plan agreed."),
    "chat": ("Let me know if you need anything else.",
             "Please verify these details against the chart before acting on them.",
             "You can reach the clinic at {phone} if anything changes."),
    "discharge": ("Follow up with {doctor} in {weeks} weeks.",
                  "Discharge medications: {med}; {med}."),
    "referral": ("Kind regards, {doctor}, {dept}.", "Yours sincerely, {doctor}"),
    "tool": (
        'tool_result: {"patient_id": "{idval}", "mrn": "{mrn}", "name": "{plastfirst}", "phone": "{phone}"}',
        'tool_result: {"status": "ok", "address": "{street}", "city": "{city}", "zip": "{postcode}", "email": "{email}"}',
        'tool_result: {"labs": [{"name": "potassium", "value": 4.1, "unit": "mmol/L"}], "collected": "{isodate}", "ordered_by": "{dfull}"}',
        'tool_result: {"ok": true, "client_ip": "{ip}", "session": "{uuid}", "since_year": {year}}',
    ),
}
DOC_TYPES = ("note", "chat", "discharge", "referral", "tool")
JOINER = {"note": " ", "chat": " ", "discharge": "\n", "referral": "\n", "tool": "\n"}

SLOT_RE = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")
WORD_RE = re.compile(r"\w")

# ------------------------------------------------------------------------ helpers


def luhn_complete(digits):
    """Append the Luhn check digit to a string of digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:  # these positions are doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return digits + str((10 - total % 10) % 10)


def group(s, n, sep=" "):
    return sep.join(s[i:i + n] for i in range(0, len(s), n))


def one_line(s):
    """Faker addresses may span lines (en_GB, en_IN): keep them on one line."""
    return re.sub(r"\s*\n\s*", ", ", s).strip()


class Ctx:
    """Per-document state: locale, Faker, the patient, relatives and clinicians.

    Each `s_<slot>` method returns a list of (text, label-or-None) segments.
    """

    def __init__(self, rng, fk, locale):
        self.rng, self.fk, self.locale = rng, fk, locale
        self.male = rng.random() < 0.5
        self.first = fk.first_name_male() if self.male else fk.first_name_female()
        self.last = fk.last_name()
        self.street = one_line(fk.street_address())
        self.city = fk.city()
        self.postcode = fk.postcode()
        self.region = fk.administrative_unit()
        self.country = fk.current_country()
        # age: over 89 (PHI) for about a third of the patients
        self.age = fk.random_int(90, 110) if rng.random() < 0.35 else rng.randint(18, 89)
        self.dob = fk.date_between_dates(dt.date(2023 - self.age, 1, 1),
                                         dt.date(2023 - self.age, 12, 31))
        self.county = fk.county() if locale == "en_GB" else None
        self.rel_male = rng.random() < 0.5
        self.rel_first = fk.first_name_male() if self.rel_male else fk.first_name_female()
        self.rel_last = self.last if rng.random() < 0.6 else fk.last_name()
        self.rel = rng.choice(RELATIONS[self.rel_male][:-1])  # e.g. "daughter"
        self.doctors = [(fk.first_name(), fk.last_name()) for _ in range(2)]
        self.nurse = (fk.first_name(), fk.last_name())

    # ---- small helpers
    def pick(self, seq):
        return self.rng.choice(seq)

    def ids(self, pattern):
        """Faker bothify: '#' -> digit, '?' -> uppercase letter."""
        return self.fk.bothify(pattern, letters=ID_LETTERS)

    def date_value(self, lo=(1925, 1, 1), hi=(2024, 12, 31)):
        return self.fk.date_between_dates(dt.date(*lo), dt.date(*hi))

    def fmt_full_date(self, d):
        m = MONTHS[d.month - 1]
        return self.pick((
            f"{d.month:02d}/{d.day:02d}/{d.year}", f"{d.year}-{d.month:02d}-{d.day:02d}",
            f"{d.day:02d}.{d.month:02d}.{d.year}", f"{m} {d.day}, {d.year}",
            f"{d.day} {m[:3]} {d.year}", f"{d.day} {m} {d.year}",
            f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.month}/{d.day}/{d.year}",
            f"{d.day}-{m[:3]}-{d.year}",
        ))

    def fmt_partial_date(self, d):
        m = MONTHS[d.month - 1]
        return self.pick((f"{m} {d.year}", f"{d.month}/{d.day}", f"{m[:3]} {d.day}",
                          f"{m} {d.day}", f"{m[:3]} {d.year}", f"{d.month:02d}/{d.year}"))

    # ---- names
    def title(self, male):
        if self.rng.random() < 0.1:
            return "Dr."
        return self.pick(("Mr.", "Mr") if male else ("Mrs.", "Ms.", "Ms", "Miss", "Mrs"))

    def s_pfull(self):
        return [(f"{self.first} {self.last}", "NAME")]

    def s_plast(self):
        return [(self.last, "NAME")]

    def s_pfirst(self):
        return [(self.first, "NAME")]

    def s_plastfirst(self):
        return [(f"{self.last}, {self.first}", "NAME")]

    def s_ptitle_last(self):
        return [(self.title(self.male) + " ", None), (self.last, "NAME")]

    def s_pname(self):
        r = self.rng.random()
        if r < 0.40:
            return self.s_pfull()
        if r < 0.60:
            return [(self.title(self.male) + " ", None), (f"{self.first} {self.last}", "NAME")]
        if r < 0.75:
            return self.s_ptitle_last()
        if r < 0.88:
            return self.s_plastfirst()
        return self.s_pfirst()

    def s_relname(self):
        if self.rng.random() < 0.8:
            return [(f"{self.rel_first} {self.rel_last}", "NAME")]
        return [(self.rel_first, "NAME")]

    def s_doctor(self):
        first, last = self.pick(self.doctors)
        r = self.rng.random()
        if r < 0.45:
            return [("Dr. ", None), (f"{first} {last}", "NAME")]
        if r < 0.6:
            return [("Dr. ", None), (last, "NAME")]
        if r < 0.72:
            return [("Dr ", None), (last, "NAME")]
        if r < 0.9:
            return [(f"{first} {last}", "NAME"), (", MD", None)]
        return [("Dr. ", None), (f"{last}, {first}", "NAME")]

    def s_dfull(self):
        first, last = self.pick(self.doctors)
        return [(f"{first} {last}", "NAME")]

    def s_nurse(self):
        first, last = self.nurse
        if self.rng.random() < 0.5:
            return [("nurse ", None), (first, "NAME")]
        return [("RN ", None), (f"{first} {last}", "NAME")]

    # ---- addresses: street, city, postcode labelled; region and country are not PHI
    def s_street(self):
        return [(self.street, "STREET_ADDRESS")]

    def s_city(self):
        return [(self.city, "CITY")]

    def s_postcode(self):
        return [(self.postcode, "POSTAL_CODE")]

    def s_address(self):
        segs = [(self.street, "STREET_ADDRESS"), (", ", None)]
        if self.locale == "en_GB" and self.rng.random() < 0.3:
            # a county is a subdivision smaller than a state: PHI, labelled CITY
            segs += [(self.city, "CITY"), (", ", None), (self.county, "CITY"),
                     (" ", None), (self.postcode, "POSTAL_CODE")]
        elif self.locale in POSTCODE_BEFORE_CITY:
            segs += [(self.postcode, "POSTAL_CODE"), (" ", None), (self.city, "CITY")]
            if self.rng.random() < 0.4:
                segs.append((f", {self.region}", None))
        else:
            segs += [(self.city, "CITY")]
            if self.locale in ("en_US", "en_IN", "pt_BR") and self.rng.random() < 0.7:
                region = self.region
                if self.locale == "en_US" and self.rng.random() < 0.5:
                    region = self.fk.state_abbr()
                segs.append((f", {region}", None))
            segs += [(" " if self.locale == "en_US" else ", ", None),
                     (self.postcode, "POSTAL_CODE")]
        if self.rng.random() < 0.25:
            segs.append((f", {self.country}", None))
        return segs

    # ---- dates and ages
    def s_date(self):
        d = self.date_value((2015, 1, 1))
        if self.rng.random() < 0.75:
            return [(self.fmt_full_date(d), "DATE")]
        return [(self.fmt_partial_date(d), "DATE")]

    def s_fulldate(self):
        return [(self.fmt_full_date(self.date_value((2015, 1, 1))), "DATE")]

    def s_mdate(self):
        return [(self.fmt_partial_date(self.date_value((2015, 1, 1))), "DATE")]

    def s_dob(self):
        return [(self.fmt_full_date(self.dob), "DATE")]

    def s_isodob(self):
        d = self.dob
        return [(f"{d.year}-{d.month:02d}-{d.day:02d}", "DATE")]

    def s_isodate(self):
        d = self.date_value((2015, 1, 1))
        return [(f"{d.year}-{d.month:02d}-{d.day:02d}", "DATE")]

    def s_age(self):
        """A relative's age at death, always over 89: PHI, only the number is labelled."""
        return [(str(self.fk.random_int(90, 110)), "AGE")]

    def s_page(self):
        """The patient's age: labelled AGE only when over 89."""
        return [(str(self.age), "AGE" if self.age > 89 else None)]

    # ---- contact
    def s_phone(self):
        return [(self.fk.phone_number(), "PHONE")]

    def s_fax(self):
        return [(self.fk.phone_number(), "FAX")]

    def s_email(self):
        return [(self.pick((self.fk.email, self.fk.free_email, self.fk.company_email))(), "EMAIL")]

    def s_url(self):
        r = self.rng.random()
        if r < 0.4:
            url = self.fk.url()
        elif r < 0.7:
            url = self.fk.uri()
        else:
            url = self.fk.url() + self.ids(self.pick(("patients/######", "chart?id=########",
                                                        "records/??-#####")))
        return [(url, "URL")]

    def s_ip(self):
        r = self.rng.random()
        if r < 0.45:
            ip = self.fk.ipv4_public()
        elif r < 0.65:
            ip = self.fk.ipv4_private()
        elif r < 0.85:
            ip = self.fk.ipv6()
        else:
            ip = str(ipaddress.IPv6Address(self.fk.ipv6()))  # compressed form
        return [(ip, "IP_ADDRESS")]

    # ---- identifiers
    def s_ssn(self):
        """The locale's social-security / national-insurance style number."""
        method = NATIONAL_ID[self.locale][1]
        value = self.pesel() if method == "pesel" else getattr(self.fk, method)()
        if method == "ssn" and self.locale in ("en_US", "de_DE") and self.rng.random() < 0.2:
            value = value.replace("-", "")
        if method == "aadhaar_id" and self.rng.random() < 0.6:
            value = group(value, 4)
        return [(value, "SSN")]

    def s_ssn_phrase(self):
        return [(self.pick(NATIONAL_ID[self.locale][0]) + " ", None)] + self.s_ssn()

    def pesel(self):
        """Polish PESEL for the patient's date of birth and sex, built with Faker's pl_PL
        helpers (Faker's own pl_PL ssn() draws the date relative to today, which would
        make the corpus change from day to day)."""
        d = self.dob
        digits = [*divmod(d.year % 100, 10), *divmod(calculate_month(d), 10),
                  *divmod(d.day, 10)] + [self.fk.random_digit() for _ in range(3)]
        digits.append(self.fk.random_element((1, 3, 5, 7, 9) if self.male else (0, 2, 4, 6, 8)))
        digits.append(pesel_checksum(digits))
        return "".join(map(str, digits))

    def s_mrn(self):
        return [(self.ids(self.pick(("########", "?#######", "MR-######", "#######",
                                     "####-####", "??######"))), "MRN")]

    def s_mrn_phrase(self):
        r = self.rng.random()
        if r < 0.3:
            return [("MRN ", None), (self.ids("########"), "MRN")]
        if r < 0.5:
            return [("MRN: ", None), (self.ids("?#######"), "MRN")]
        if r < 0.65:
            return [("medical record #", None), (self.ids("####-####"), "MRN")]
        if r < 0.8:
            return [("MR# ", None), (self.ids("#######"), "MRN")]
        if r < 0.9:
            return [("hospital number ", None), (self.ids("??######"), "MRN")]
        return [("chart no. ", None), (self.ids("##-##-####"), "MRN")]

    def s_hp_phrase(self):
        r = self.rng.random()
        if self.locale == "en_GB" and r < 0.5:
            n = self.nhs_number()
            if self.rng.random() < 0.7:
                n = f"{n[:3]} {n[3:6]} {n[6:]}"
            return [("NHS number ", None), (n, "HEALTH_PLAN")]
        if r < 0.25:
            return [("member ID ", None), (self.ids("???#########"), "HEALTH_PLAN")]
        if r < 0.45:
            return [("Medicare MBI ", None), (self.mbi(), "HEALTH_PLAN")]
        if r < 0.6:
            return [("policy number ", None), (self.ids("POL-########"), "HEALTH_PLAN")]
        if r < 0.75:
            return [("insurance ID ", None), (self.ids("W#########"), "HEALTH_PLAN")]
        if r < 0.9:
            return [("Medicaid ID ", None), (self.ids("##########"), "HEALTH_PLAN")]
        return [("subscriber no. ", None), (self.ids("???-###-###-###"), "HEALTH_PLAN")]

    def mbi(self):
        """Medicare Beneficiary Identifier shape: C A AN N A AN N A A N N."""
        letters = "ACDEFGHJKMNPQRTUVWXY"  # MBI letters exclude S L O I B Z
        digits = "0123456789"
        pick = self.fk.random_element
        classes = ("123456789", letters, letters + digits, digits, letters,
                   letters + digits, digits, letters, letters, digits, digits)
        v = "".join(pick(c) for c in classes)
        return f"{v[:4]}-{v[4:7]}-{v[7:]}" if self.rng.random() < 0.5 else v

    def nhs_number(self):
        """A valid 10-digit UK NHS number (mod-11 check digit)."""
        while True:
            body = self.fk.numerify("#########")
            check = 11 - sum(int(c) * w for c, w in zip(body, range(10, 1, -1))) % 11
            check = 0 if check == 11 else check
            if check != 10:
                return body + str(check)

    def s_cc(self):
        num = self.fk.credit_card_number()
        r = self.rng.random()
        if len(num) == 16 and r < 0.35:
            num = group(num, 4, " ")
        elif len(num) == 16 and r < 0.5:
            num = group(num, 4, "-")
        return [(num, "ACCOUNT")]

    def s_iban(self):
        iban = self.fk.iban()
        if self.rng.random() < 0.4:
            iban = group(iban, 4)
        return [(iban, "ACCOUNT")]

    def s_acct_phrase(self):
        r = self.rng.random()
        if r < 0.3:
            return [("card ", None)] + self.s_cc()
        if r < 0.5:
            return [("IBAN ", None)] + self.s_iban()
        if r < 0.7:
            return [("bank account ", None), (self.fk.bban(), "ACCOUNT")]
        if r < 0.85:
            return [("account number ", None), (self.ids("##########"), "ACCOUNT")]
        return [("patient account ", None), (self.ids("ACCT-#######"), "ACCOUNT")]

    def s_dea(self):
        """DEA registration number: 2 letters + 6 digits + check digit."""
        last = self.pick(self.doctors)[1]
        second = last[0].upper() if last[:1].isascii() and last[:1].isalpha() else "X"
        digits = self.fk.numerify("######")
        d = [int(c) for c in digits]
        check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
        return [(self.fk.random_element("ABFGMPR") + second + digits + str(check), "LICENSE")]

    def s_lic_phrase(self):
        r = self.rng.random()
        if r < 0.3:
            return [(self.pick(("driver's license ", "driving licence ", "DL# ")), None),
                    (self.ids(self.pick(("?#######", "?###-####-####", "#########",
                                         "??#####?##"))), "LICENSE")]
        if r < 0.5:
            return [("DEA number ", None)] + self.s_dea()
        if r < 0.7:
            return [("medical license #", None), (self.ids(self.pick(("MD######", "?-#####"))),
                                                   "LICENSE")]
        if r < 0.85:
            return [("GMC number ", None), (self.ids("#######"), "LICENSE")]
        return [("certificate no. ", None), (self.ids("CERT-######"), "LICENSE")]

    def s_vin(self):
        return [(self.fk.vin(), "VEHICLE")]

    def s_plate(self):
        return [(self.fk.license_plate(), "VEHICLE")]

    def s_vehicle_phrase(self):
        if self.rng.random() < 0.5:
            return [("plate ", None)] + self.s_plate()
        return [("VIN ", None)] + self.s_vin()

    def s_mac(self):
        mac = self.fk.mac_address()
        r = self.rng.random()
        if r < 0.3:
            mac = mac.upper()
        elif r < 0.45:
            mac = mac.upper().replace(":", "-")
        return [(mac, "DEVICE")]

    def s_serial(self):
        return [(self.ids(self.pick(("SN???#######", "??#-######", "####?####"))), "DEVICE")]

    def s_device_phrase(self):
        r = self.rng.random()
        if r < 0.3:
            return [("serial number ", None)] + self.s_serial()
        if r < 0.5:
            return [("IMEI ", None), (luhn_complete(self.fk.numerify("35############")), "DEVICE")]
        if r < 0.7:
            return [("MAC ", None)] + self.s_mac()
        if r < 0.85:
            return [("device ID ", None), (self.fk.uuid4(), "DEVICE")]
        return [("S/N ", None), (self.ids("##?#-####"), "DEVICE")]

    def s_bio_phrase(self):
        r = self.rng.random()
        if r < 0.35:
            return [("fingerprint template ID ", None),
                    ("FP-" + self.fk.hexify("^^^^^^^^^^^^", upper=True), "BIOMETRIC")]
        if r < 0.6:
            return [("retina scan template ", None), (self.ids("RT-########"), "BIOMETRIC")]
        if r < 0.85:
            return [("voiceprint ID ", None), (self.ids("VP-????-####"), "BIOMETRIC")]
        return [("face template hash ", None), (self.fk.sha1()[:20], "BIOMETRIC")]

    def s_idval(self):
        return [(self.ids(self.pick(("P-######", "PT#########", "EMP-#####"))), "ID")]

    def s_accession(self):
        return [(self.ids(self.pick(("ACC-##-######", "S##-#####", "##??######"))), "ID")]

    def s_uuid(self):
        return [(self.fk.uuid4(), "ID")]

    def s_id_phrase(self):
        r = self.rng.random()
        if r < 0.18:
            return [("employee ID ", None), (self.ids("EMP-#####"), "ID")]
        if r < 0.34:
            return [("case number ", None), (self.ids("20##-CV-#####"), "ID")]
        if r < 0.5:
            return [("claim number ", None), (self.ids("CLM########"), "ID")]
        if r < 0.64:
            return [("accession number ", None), (self.ids("ACC-##-######"), "ID")]
        if r < 0.78:
            return [("encounter ID ", None), (self.ids("ENC#########"), "ID")]
        if r < 0.9:
            return [("passport number ", None), (self.fk.passport_number(), "ID")]
        return [("patient UUID ", None), (self.fk.uuid4(), "ID")]

    # ---- non-PHI distractors (never labelled)
    def s_sexnoun(self):
        return [(self.pick(("man", "male", "gentleman") if self.male
                           else ("woman", "female", "lady")), None)]

    def s_sexletter(self):
        return [("M" if self.male else "F", None)]

    def s_youngage(self):
        return [(str(self.rng.randint(18, 89)), None)]

    def s_year(self):
        return [(str(self.rng.randint(1990, 2024)), None)]

    def s_med(self):
        name, doses = self.pick(DRUGS)
        return [(f"{name} {self.pick(doses)}", None)]

    def s_drug(self):
        return [(self.pick(DRUGS)[0], None)]

    def s_lab(self):
        return [(self.pick(LABS)(self.rng), None)]

    def s_labname(self):
        return [(self.pick(LAB_NAMES), None)]

    def s_hba1c(self):
        return [(f"{self.rng.uniform(5.5, 11.0):.1f}", None)]

    def s_vital(self):
        return [(self.pick(VITALS)(self.rng), None)]

    def s_dx(self):
        return [(self.pick(DIAGNOSES)[0], None)]

    def s_icd(self):
        return [(self.pick(DIAGNOSES)[1], None)]

    def s_dxicd(self):
        dx, code = self.pick(DIAGNOSES)
        return [(f"{dx} ({code})", None)]

    def s_complaint(self):
        return [(self.pick(COMPLAINTS), None)]

    def s_symptom(self):
        return [(self.pick(SYMPTOMS), None)]

    def s_dept(self):
        return [(self.pick(DEPARTMENTS), None)]

    def s_capword(self):
        return [(self.pick(CAPWORDS), None)]

    def s_Capword(self):
        return self.s_capword()

    def s_frac(self):
        return [(self.pick(("1/2", "1/4", "3/4", "½", "one half")), None)]

    def s_pain(self):
        return [(str(self.rng.randint(0, 10)), None)]

    def s_strength(self):
        return [(str(self.rng.randint(1, 5)), None)]

    def s_weeks(self):
        return [(str(self.rng.randint(1, 12)), None)]

    def s_allergy(self):
        return [(self.pick(ALLERGIES), None)]

    def s_language(self):
        return [(self.pick(LANGUAGES), None)]

    def s_rel(self):
        """How the document's relative is related to the patient."""
        return [(self.rel, None)]

    def s_Rel(self):
        return [(self.rel.capitalize(), None)]

    def s_Parent(self):
        return [(RELATIONS[self.rel_male][-1].capitalize(), None)]


FAKERS = {}  # locale -> seeded Faker, filled by main()


def render(template, ctx):
    """Fill a template: returns a list of (text, label-or-None) segments."""
    segs, pos = [], 0
    for m in SLOT_RE.finditer(template):
        if m.start() > pos:
            segs.append((template[pos:m.start()], None))
        segs.extend(getattr(ctx, "s_" + m.group(1))())
        pos = m.end()
    if pos < len(template):
        segs.append((template[pos:], None))
    return segs


def make_doc(rng, index):
    locale = rng.choices([l for l, _ in LOCALES], weights=[w for _, w in LOCALES])[0]
    ctx = Ctx(rng, FAKERS[locale], locale)
    kind = rng.choice(DOC_TYPES)
    n = rng.randint(2, 8)  # sentences in the document, opening/closing lines included
    templates = [rng.choice(OPEN[kind])]
    close = rng.choice(CLOSE[kind]) if n >= 3 and rng.random() < 0.7 else None
    body_n = n - 1 - (close is not None)
    templates += rng.sample(BODY, body_n)
    if close:
        templates.append(close)

    text, ents = [], []
    length = 0
    for i, tpl in enumerate(templates):
        if i:
            text.append(JOINER[kind])
            length += len(JOINER[kind])
        for seg, label in render(tpl, ctx):
            if label:
                ents.append({"start": length, "end": length + len(seg), "label": label})
            text.append(seg)
            length += len(seg)
    doc = {"id": f"doc-{index:06d}", "locale": locale, "text": "".join(text), "entities": ents}
    check_doc(doc)
    return doc


def check_doc(doc):
    """Entities exact, sorted, non-overlapping, on token boundaries, known labels."""
    text, prev_end = doc["text"], 0
    for e in doc["entities"]:
        s, t, label = e["start"], e["end"], e["label"]
        span = text[s:t]
        assert label in LABELS, (doc["id"], label)
        assert prev_end <= s < t <= len(text), (doc["id"], e)
        assert span == span.strip() and span, (doc["id"], repr(span))
        assert WORD_RE.search(span), (doc["id"], repr(span))
        # a \w char at an edge must not continue outside the entity (token boundary)
        if s > 0 and WORD_RE.match(text[s - 1]) and WORD_RE.match(text[s]):
            raise AssertionError(f"{doc['id']}: entity {span!r} starts inside a token")
        if t < len(text) and WORD_RE.match(text[t]) and WORD_RE.match(text[t - 1]):
            raise AssertionError(f"{doc['id']}: entity {span!r} ends inside a token")
        prev_end = t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--out", required=True, help="output .jsonl path ('-' = stdout)")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    random.seed(args.seed)  # safety net for Faker providers that use the global `random`
    for i, (locale, _) in enumerate(LOCALES):
        fk = Faker(locale)
        fk.seed_instance(args.seed * 1000 + i)
        FAKERS[locale] = fk

    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="\n")
    counts, locales, chars = Counter(), Counter(), 0
    try:
        for i in range(1, args.docs + 1):
            # A rare Faker value with an edge blank fails the document's check: draw the
            # document again (the corpora of earlier runs never hit this, so they are unchanged).
            for _ in range(10):
                try:
                    doc = make_doc(rng, i)
                    break
                except AssertionError:
                    continue
            else:
                raise SystemExit(f"make_corpus: document {i} failed its check ten times")
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
            counts.update(e["label"] for e in doc["entities"])
            locales[doc["locale"]] += 1
            chars += len(doc["text"])
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"make_corpus: seed {args.seed}, {args.docs} docs, {chars} chars, "
          f"{sum(counts.values())} entities -> {args.out}", file=sys.stderr)
    print("  labels: " + ", ".join(f"{l} {counts[l]}" for l in LABELS), file=sys.stderr)
    print("  locales: " + ", ".join(f"{l} {locales[l]}" for l, _ in LOCALES), file=sys.stderr)


if __name__ == "__main__":
    main()
