#!/usr/bin/env python3
"""Generate synthetic, PHI-free clinical notes with annotated "keep" spans.

Every note is built from hand-written sentence templates.  Templates contain
two kinds of markup:

    {slot}            a slot filled at random (drug + dose, lab + value, age...)
    <<LABEL|token>>   a fixed token that must be kept, with its label

Slots return lists of (text, label) parts; label None means plain text.  The
parts are concatenated after an optional case transform (chat style lower
case, legacy ALL CAPS) and the character offsets of labelled parts become the
"keep" spans, so every span is exact by construction (and is re-checked).

Standard library only.  Deterministic for a given --seed (default 2027).

    python3 make_notes.py [--seed 2027] [--n 800] [--out notes.jsonl]
"""
import argparse
import json
import os
import random
import re
import sys
from collections import Counter

CURRENT_YEAR = 2025

# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

STATES = [
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado",
    "Connecticut", "Delaware", "Florida", "Georgia", "Hawaii", "Idaho",
    "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
    "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi",
    "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey",
    "New Mexico", "New York State", "North Carolina", "North Dakota", "Ohio",
    "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina",
    "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia",
    "Washington State", "West Virginia", "Wisconsin", "Wyoming",
]
# states that double as first names, or are otherwise tricky: over-sampled
TRICKY_STATES = ["Georgia", "Virginia", "West Virginia", "North Carolina",
                 "South Carolina", "Montana", "Indiana", "Nevada", "Florida",
                 "North Dakota", "South Dakota", "Washington State",
                 "New Mexico", "Mississippi"]
STATE_ABBR = ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI",
              "ID", "IL", "IA", "KS", "KY", "LA", "MD", "MA", "MI", "MN", "MS",
              "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
              "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA",
              "WA", "WV", "WI", "WY"]
COMMON_ABBR = ["NY", "TX", "FL", "CA", "GA", "VA", "NC", "OH", "PA", "NJ", "MD",
               "AZ", "WA", "MI", "IL", "MA", "TN", "CO"]

ROLES = ["attending", "PCP", "hospitalist", "resident", "intern", "NP",
         "nurse practitioner", "PA", "physician assistant", "RN",
         "charge nurse", "pharmacist", "clinical pharmacist",
         "case manager", "social worker", "intensivist", "cardiologist",
         "on-call cardiologist", "surgeon", "oncologist", "covering physician",
         "dietitian", "midwife", "anesthesiologist", "fellow", "consultant",
         "triage nurse", "endocrinologist", "rheumatologist", "neurologist",
         "primary team", "night float", "bedside nurse", "wound care nurse",
         "respiratory therapist", "primary care provider"]
# roles that read naturally after "the"
THE_ROLES = [r for r in ROLES if r not in ("PCP", "NP", "PA", "RN")]

DEPTS = ["Cardiology", "Emergency Department", "ED", "ICU", "MICU", "CCU",
         "Neurology", "GI", "Gastroenterology", "Endocrinology", "Nephrology",
         "Pulmonology", "Rheumatology", "Oncology", "Hematology/Oncology",
         "Orthopedics", "General Surgery", "Urology", "Dermatology",
         "Psychiatry", "OB/GYN", "Labor and Delivery", "Pediatrics",
         "Radiology", "Interventional Radiology", "Infectious Disease", "ENT",
         "Ophthalmology", "Wound Care", "Palliative Care", "Behavioral Health",
         "Physical Therapy", "Internal Medicine", "Family Medicine",
         "Hepatology", "Sports Medicine", "Vascular Surgery", "Hand Surgery",
         "Geriatrics", "Telemetry", "PACU", "step-down unit", "Dialysis",
         "Audiology", "Sleep Medicine", "Allergy/Immunology"]

SCORES = {  # name: (lo, hi)
    "PHQ-9": (0, 27), "PHQ-2": (0, 6), "GAD-7": (0, 21), "NIHSS": (0, 22),
    "MELD": (7, 34), "MELD-Na": (8, 36), "CURB-65": (0, 4), "qSOFA": (0, 3),
    "SOFA": (0, 14), "HEART score": (0, 9), "HAS-BLED": (0, 5),
    "TIMI": (0, 6), "ECOG": (0, 3), "CIWA-Ar": (0, 24),
    "COWS": (0, 22), "AUDIT-C": (0, 12), "MMSE": (14, 30), "MoCA": (12, 30),
    "STOP-BANG": (0, 8), "PEWS": (0, 6), "PERC": (0, 3),
}

SYMPTOMS = ["fatigue", "dyspnea on exertion", "intermittent palpitations",
            "lightheadedness", "nausea", "heartburn", "diarrhea", "constipation",
            "joint pain", "low back pain", "headaches", "insomnia",
            "night sweats", "cough", "wheezing", "leg swelling", "dysuria",
            "urinary frequency", "numbness in both feet", "blurred vision",
            "dizziness with standing", "poor appetite", "weight gain",
            "weight loss", "chest tightness", "abdominal bloating",
            "hand tremor", "dry mouth", "muscle cramps", "itching",
            "orthopnea", "early satiety", "sore throat", "ear fullness",
            "tinnitus", "cold intolerance", "heat intolerance", "polyuria"]
SIDE_EFFECTS = ["GI upset", "myalgias", "a dry cough", "dizziness",
                "ankle edema", "nausea", "headache", "insomnia", "rash",
                "fatigue", "constipation", "bruising", "sexual side effects",
                "weight gain", "vivid dreams", "cost"]
RELATIVES = ["mother", "father", "sister", "brother", "maternal aunt",
             "paternal uncle", "maternal grandmother", "paternal grandfather",
             "daughter", "son", "twin sister"]
TIMEAGO = ["last month", "two weeks ago", "over the summer", "last week",
           "10 days ago", "earlier this year", "3 weeks ago", "last spring"]
JOBS = ["rancher", "truck driver", "teacher", "nurse", "electrician",
        "farmer", "welder", "retired machinist", "accountant", "line cook",
        "warehouse worker", "forestry technician", "commercial fisherman",
        "landscaper", "retired postal worker", "software developer"]
SUPPLEMENTS = ["<<DRUG|St. John's wort>>", "<<DRUG|melatonin>> <<UNIT|3 mg>>",
               "<<DRUG|fish oil>>", "<<DRUG|vitamin D3>> <<UNIT|2000 IU>>",
               "<<DRUG|turmeric>>", "<<DRUG|ashwagandha>>",
               "<<DRUG|ginkgo biloba>>", "<<DRUG|biotin>> <<UNIT|5000 mcg>>",
               "<<DRUG|St. John's wort>> <<UNIT|300 mg>> TID",
               "<<DRUG|red yeast rice>>", "<<DRUG|magnesium glycinate>>",
               "<<DRUG|elderberry>>", "<<DRUG|kava>>"]

# ---------------------------------------------------------------------------
# Drugs: name -> (doses, sigs, brand?, otc?)
# ---------------------------------------------------------------------------

GENERICS = [
    ("metformin", ["500 mg", "850 mg", "1000 mg"], ["PO BID with meals", "BID", "daily with supper"]),
    ("metformin ER", ["500 mg", "750 mg", "1000 mg"], ["daily with the evening meal"]),
    ("lisinopril", ["2.5 mg", "5 mg", "10 mg", "20 mg", "40 mg"], ["daily", "PO daily"]),
    ("losartan", ["25 mg", "50 mg", "100 mg"], ["daily"]),
    ("amlodipine", ["2.5 mg", "5 mg", "10 mg"], ["daily"]),
    ("hydrochlorothiazide", ["12.5 mg", "25 mg"], ["daily", "every morning"]),
    ("chlorthalidone", ["12.5 mg", "25 mg"], ["daily"]),
    ("atorvastatin", ["10 mg", "20 mg", "40 mg", "80 mg"], ["nightly", "daily"]),
    ("rosuvastatin", ["5 mg", "10 mg", "20 mg", "40 mg"], ["daily"]),
    ("metoprolol succinate", ["25 mg", "50 mg", "100 mg"], ["daily"]),
    ("metoprolol tartrate", ["12.5 mg", "25 mg", "50 mg"], ["BID", "PO q12h"]),
    ("carvedilol", ["3.125 mg", "6.25 mg", "12.5 mg", "25 mg"], ["BID with food"]),
    ("furosemide", ["20 mg", "40 mg", "80 mg"], ["daily", "BID", "IV BID"]),
    ("spironolactone", ["12.5 mg", "25 mg", "50 mg"], ["daily"]),
    ("apixaban", ["2.5 mg", "5 mg"], ["BID"]),
    ("rivaroxaban", ["15 mg", "20 mg"], ["daily with the evening meal"]),
    ("warfarin", ["2 mg", "2.5 mg", "5 mg", "7.5 mg"], ["daily, dose per <<LAB|INR>>", "daily"]),
    ("clopidogrel", ["75 mg"], ["daily"]),
    ("aspirin", ["81 mg", "325 mg"], ["daily", "once"]),
    ("insulin glargine", ["10 units", "18 units", "24 units", "32 units"], ["at bedtime", "SC nightly"]),
    ("insulin lispro", ["4 units", "6 units", "8 units"], ["with meals plus correction scale", "AC TID"]),
    ("semaglutide", ["0.25 mg", "0.5 mg", "1 mg", "2 mg"], ["SC weekly", "once weekly"]),
    ("tirzepatide", ["2.5 mg", "5 mg", "7.5 mg", "10 mg"], ["SC weekly"]),
    ("empagliflozin", ["10 mg", "25 mg"], ["daily"]),
    ("dapagliflozin", ["10 mg"], ["daily"]),
    ("sitagliptin", ["50 mg", "100 mg"], ["daily"]),
    ("glipizide", ["2.5 mg", "5 mg", "10 mg"], ["daily with breakfast", "BID"]),
    ("levothyroxine", ["25 mcg", "50 mcg", "75 mcg", "88 mcg", "100 mcg", "112 mcg", "125 mcg"], ["daily on an empty stomach", "every morning 30-60 min before breakfast"]),
    ("methimazole", ["5 mg", "10 mg", "20 mg"], ["daily", "TID"]),
    ("propylthiouracil", ["50 mg", "100 mg"], ["TID"]),
    ("propranolol", ["10 mg", "20 mg", "40 mg"], ["TID", "BID PRN tremor"]),
    ("prednisone", ["5 mg", "10 mg", "20 mg", "40 mg", "60 mg"], ["daily", "daily x 5 days", "daily with taper"]),
    ("methylprednisolone", ["40 mg", "125 mg"], ["IV q6h", "IV once"]),
    ("dexamethasone", ["4 mg", "6 mg", "10 mg"], ["IV once", "PO daily x 10 days"]),
    ("hydrocortisone", ["10 mg", "15 mg", "20 mg", "100 mg"], ["every morning and <<UNIT|5 mg>> early afternoon", "IV q8h (stress dose)"]),
    ("fludrocortisone", ["0.05 mg", "0.1 mg"], ["daily"]),
    ("albuterol", ["90 mcg/actuation", "2.5 mg"], ["2 puffs q4-6h PRN wheeze", "neb q4h PRN"]),
    ("budesonide-formoterol", ["160/4.5 mcg"], ["2 puffs BID"]),
    ("fluticasone", ["50 mcg/spray"], ["2 sprays each nostril daily"]),
    ("tiotropium", ["18 mcg", "2.5 mcg/actuation"], ["inhaled daily"]),
    ("montelukast", ["10 mg", "5 mg"], ["nightly"]),
    ("omeprazole", ["20 mg", "40 mg"], ["daily before breakfast", "BID"]),
    ("pantoprazole", ["40 mg"], ["daily", "IV BID", "BID"]),
    ("famotidine", ["20 mg", "40 mg"], ["BID", "nightly"]),
    ("ondansetron", ["4 mg", "8 mg"], ["q8h PRN nausea", "IV x1", "ODT q8h PRN"]),
    ("acetaminophen", ["325 mg", "500 mg", "650 mg", "1000 mg"], ["q6h PRN", "q6h PRN pain, max <<UNIT|3 g>>/day", "q8h scheduled"]),
    ("ibuprofen", ["200 mg", "400 mg", "600 mg", "800 mg"], ["q6h PRN with food", "TID with meals"]),
    ("naproxen", ["250 mg", "500 mg"], ["BID with food"]),
    ("ketorolac", ["15 mg", "30 mg"], ["IV x1", "IV q6h, max 5 days"]),
    ("oxycodone", ["5 mg", "10 mg"], ["q4h PRN severe pain", "q6h PRN"]),
    ("hydromorphone", ["0.2 mg", "0.5 mg", "1 mg"], ["IV q3h PRN", "IV q2h PRN severe pain"]),
    ("morphine", ["2 mg", "4 mg"], ["IV q4h PRN"]),
    ("tramadol", ["50 mg"], ["q6h PRN"]),
    ("gabapentin", ["100 mg", "300 mg", "600 mg"], ["TID", "nightly"]),
    ("pregabalin", ["25 mg", "75 mg", "150 mg"], ["BID"]),
    ("sertraline", ["25 mg", "50 mg", "100 mg", "150 mg"], ["daily"]),
    ("escitalopram", ["5 mg", "10 mg", "20 mg"], ["daily"]),
    ("fluoxetine", ["10 mg", "20 mg", "40 mg"], ["daily in the morning"]),
    ("bupropion XL", ["150 mg", "300 mg"], ["every morning"]),
    ("trazodone", ["25 mg", "50 mg", "100 mg"], ["at bedtime PRN sleep"]),
    ("mirtazapine", ["7.5 mg", "15 mg", "30 mg"], ["nightly"]),
    ("quetiapine", ["25 mg", "50 mg", "100 mg"], ["nightly"]),
    ("aripiprazole", ["2 mg", "5 mg", "10 mg"], ["daily"]),
    ("guanfacine ER", ["1 mg", "2 mg"], ["daily"]),
    ("haloperidol", ["0.5 mg", "1 mg", "2 mg"], ["IV q6h PRN agitation"]),
    ("lorazepam", ["0.5 mg", "1 mg", "2 mg"], ["q4h PRN per <<SCORE|CIWA-Ar>>", "IV x1", "q8h PRN anxiety"]),
    ("buspirone", ["5 mg", "10 mg", "15 mg"], ["BID"]),
    ("amoxicillin", ["500 mg", "875 mg"], ["TID x 10 days", "BID x 10 days"]),
    ("amoxicillin-clavulanate", ["875-125 mg"], ["BID x 7 days"]),
    ("azithromycin", ["250 mg", "500 mg"], ["daily x 3 days", "daily"]),
    ("doxycycline", ["100 mg"], ["BID x 14 days", "BID x 21 days", "BID x 7 days"]),
    ("cephalexin", ["500 mg"], ["QID x 7 days", "q6h"]),
    ("ceftriaxone", ["1 g", "2 g"], ["IV daily", "IV q24h", "IM x1"]),
    ("piperacillin-tazobactam", ["3.375 g", "4.5 g"], ["IV q8h extended infusion", "IV q6h"]),
    ("vancomycin", ["1 g", "1.25 g", "1.5 g"], ["IV q12h, pharmacy to dose", "IV q12h"]),
    ("oral vancomycin", ["125 mg"], ["QID x 10 days"]),
    ("cefepime", ["1 g", "2 g"], ["IV q8h", "IV q12h"]),
    ("meropenem", ["1 g"], ["IV q8h"]),
    ("ampicillin-sulbactam", ["3 g"], ["IV q6h"]),
    ("nitrofurantoin", ["100 mg"], ["BID x 5 days"]),
    ("ciprofloxacin", ["250 mg", "500 mg"], ["BID x 3 days", "BID"]),
    ("levofloxacin", ["500 mg", "750 mg"], ["daily x 5 days"]),
    ("metronidazole", ["500 mg"], ["TID x 7 days", "IV q8h", "BID x 7 days"]),
    ("clindamycin", ["300 mg", "450 mg", "600 mg"], ["TID", "IV q8h"]),
    ("trimethoprim-sulfamethoxazole", ["800-160 mg"], ["BID x 7 days"]),
    ("fluconazole", ["150 mg"], ["x1", "once, may repeat in 72 hours"]),
    ("valacyclovir", ["500 mg", "1 g"], ["TID x 7 days", "BID x 3 days"]),
    ("oseltamivir", ["75 mg"], ["BID x 5 days"]),
    ("nirmatrelvir-ritonavir", ["300-100 mg"], ["BID x 5 days"]),
    ("enoxaparin", ["40 mg", "1 mg/kg"], ["SC daily", "SC q12h"]),
    ("heparin", ["5000 units"], ["SC q8h", "SC q12h"]),
    ("thiamine", ["100 mg", "500 mg"], ["daily", "IV TID x 3 days"]),
    ("folic acid", ["1 mg"], ["daily"]),
    ("cyanocobalamin", ["1000 mcg"], ["IM monthly", "daily"]),
    ("ferrous sulfate", ["325 mg"], ["daily", "every other day"]),
    ("potassium chloride", ["20 mEq", "40 mEq"], ["PO x1", "daily"]),
    ("magnesium oxide", ["400 mg"], ["daily", "BID"]),
    ("colchicine", ["0.6 mg"], ["daily", "BID"]),
    ("allopurinol", ["100 mg", "300 mg"], ["daily"]),
    ("tamsulosin", ["0.4 mg"], ["nightly", "daily 30 minutes after the same meal"]),
    ("finasteride", ["5 mg"], ["daily"]),
    ("donepezil", ["5 mg", "10 mg"], ["nightly"]),
    ("memantine", ["5 mg", "10 mg"], ["BID"]),
    ("carbidopa-levodopa", ["25-100 mg", "25-250 mg"], ["TID", "1 tab TID"]),
    ("pramipexole", ["0.125 mg", "0.25 mg", "0.5 mg"], ["TID"]),
    ("rasagiline", ["0.5 mg", "1 mg"], ["daily"]),
    ("tetrabenazine", ["12.5 mg", "25 mg"], ["BID"]),
    ("levetiracetam", ["500 mg", "750 mg", "1000 mg"], ["BID"]),
    ("lamotrigine", ["25 mg", "100 mg", "200 mg"], ["daily", "BID"]),
    ("topiramate", ["25 mg", "50 mg"], ["nightly", "BID"]),
    ("sumatriptan", ["50 mg", "100 mg"], ["at migraine onset, may repeat in 2 hours"]),
    ("meclizine", ["12.5 mg", "25 mg"], ["q8h PRN vertigo"]),
    ("hydroxychloroquine", ["200 mg", "400 mg"], ["daily"]),
    ("methotrexate", ["15 mg", "20 mg"], ["weekly with <<DRUG|folic acid>>"]),
    ("adalimumab", ["40 mg"], ["SC every 2 weeks"]),
    ("infliximab", ["5 mg/kg"], ["IV at weeks 0, 2 and 6, then every 8 weeks"]),
    ("mesalamine", ["1.2 g", "2.4 g", "4.8 g"], ["daily"]),
    ("budesonide", ["9 mg"], ["daily x 8 weeks"]),
    ("naloxone", ["4 mg", "0.4 mg"], ["intranasal PRN opioid overdose", "IV PRN"]),
    ("buprenorphine-naloxone", ["8-2 mg"], ["SL daily", "SL BID"]),
    ("nicotine patch", ["21 mg/24 hr", "14 mg/24 hr", "7 mg/24 hr"], ["apply daily"]),
    ("varenicline", ["0.5 mg", "1 mg"], ["BID"]),
    ("diltiazem", ["30 mg", "120 mg", "240 mg"], ["QID", "ER daily"]),
    ("nitroglycerin", ["0.4 mg"], ["SL q5min PRN chest pain, max 3 doses"]),
    ("digoxin", ["0.125 mg", "0.0625 mg"], ["daily"]),
    ("amiodarone", ["200 mg", "400 mg"], ["daily", "BID"]),
    ("sacubitril-valsartan", ["24-26 mg", "49-51 mg", "97-103 mg"], ["BID"]),
    ("nifedipine ER", ["30 mg", "60 mg"], ["daily"]),
    ("loratadine", ["10 mg"], ["daily"]),
    ("cetirizine", ["10 mg", "5 mg"], ["daily"]),
    ("diphenhydramine", ["25 mg", "50 mg"], ["q6h PRN itching", "at bedtime PRN"]),
    ("guaifenesin", ["600 mg"], ["BID"]),
    ("loperamide", ["2 mg"], ["after each loose stool, max <<UNIT|8 mg>>/day"]),
    ("polyethylene glycol 3350", ["17 g"], ["daily in <<UNIT|8 oz>> of water"]),
    ("senna", ["8.6 mg", "17.2 mg"], ["nightly"]),
    ("docusate", ["100 mg"], ["BID"]),
    ("melatonin", ["3 mg", "5 mg"], ["at bedtime"]),
    ("pilocarpine", ["5 mg"], ["TID"]),
    ("penicillamine", ["250 mg"], ["QID on an empty stomach"]),
    ("trientine", ["250 mg", "500 mg"], ["BID"]),
    ("zinc acetate", ["50 mg"], ["TID"]),
    ("alendronate", ["70 mg"], ["weekly, upright for 30 minutes"]),
    ("zoledronic acid", ["5 mg"], ["IV once"]),
    ("IVIG", ["2 g/kg", "0.4 g/kg"], ["divided over 5 days", "IV daily x 5 days", "IV once"]),
    ("epinephrine", ["0.3 mg", "0.15 mg"], ["IM PRN anaphylaxis"]),
    ("estradiol", ["0.5 mg", "1 mg"], ["daily"]),
    ("somatropin", ["0.3 mg/kg/week"], ["SC divided daily"]),
    ("octreotide", ["50 mcg", "100 mcg"], ["SC TID"]),
    ("lactulose", ["20 g", "30 mL"], ["TID, titrate to 2-3 soft stools daily", "BID"]),
    ("rifaximin", ["550 mg"], ["BID"]),
    ("ursodiol", ["300 mg"], ["BID"]),
    ("desmopressin", ["0.3 mcg/kg", "0.1 mg"], ["IV once before procedure", "nightly"]),
    ("testosterone cypionate", ["100 mg", "200 mg"], ["IM every 2 weeks"]),
    ("sildenafil", ["20 mg", "50 mg"], ["PRN"]),
    ("tizanidine", ["2 mg", "4 mg"], ["q8h PRN spasm"]),
    ("cyclobenzaprine", ["5 mg", "10 mg"], ["TID PRN spasm"]),
    ("ergocalciferol", ["50,000 IU"], ["weekly x 8 weeks", "once weekly"]),
    ("nystatin suspension", ["100,000 units/mL"], ["5 mL swish and swallow QID"]),
    ("epoetin alfa", ["10,000 units", "40,000 units"], ["SC weekly"]),
    ("penicillin G benzathine", ["2.4 million units"], ["IM x1"]),
]

BRANDS = [
    # name, doses, sigs, otc
    ("Tylenol Extra Strength", ["500 mg", "1000 mg"], ["q6h PRN", "every 6 hours as needed"], True),
    ("Tylenol 8 HR Arthritis Pain", ["650 mg", "1300 mg"], ["q8h PRN"], True),
    ("Tylenol PM", ["2 caplets"], ["at bedtime PRN"], True),
    ("Advil Liqui-Gels", ["200 mg", "400 mg"], ["q6h PRN", "every 4-6 hours PRN"], True),
    ("Motrin IB", ["200 mg", "400 mg"], ["q6h PRN with food"], True),
    ("Children's Motrin", ["100 mg/5 mL"], ["10 mg/kg q6-8h PRN"], True),
    ("Aleve", ["220 mg", "440 mg"], ["BID PRN"], True),
    ("Excedrin Migraine", ["2 caplets"], ["at onset, max 2 caplets/24 h"], True),
    ("Benadryl Allergy", ["25 mg"], ["q6h PRN"], True),
    ("Sudafed PE", ["10 mg"], ["q4h PRN congestion"], True),
    ("Claritin-D", ["1 tablet"], ["q12h PRN"], True),
    ("Claritin", ["10 mg"], ["daily"], True),
    ("Zyrtec", ["10 mg"], ["daily"], True),
    ("Allegra", ["180 mg"], ["daily"], True),
    ("Allegra-D 24 Hour", ["1 tablet"], ["daily"], True),
    ("Flonase Sensimist", ["27.5 mcg/spray"], ["2 sprays each nostril daily"], True),
    ("Flonase Allergy Relief", ["50 mcg/spray"], ["1-2 sprays each nostril daily"], True),
    ("Nasacort Allergy 24HR", ["55 mcg/spray"], ["2 sprays each nostril daily"], True),
    ("Plan B One-Step", ["1.5 mg"], ["once, as soon as possible"], True),
    ("Narcan", ["4 mg"], ["intranasal, may repeat in 2-3 minutes"], True),
    ("Prilosec OTC", ["20 mg"], ["daily x 14 days"], True),
    ("Nexium 24HR", ["20 mg"], ["daily"], True),
    ("Pepcid AC", ["10 mg", "20 mg"], ["BID PRN"], True),
    ("Tums Ultra", ["1000 mg"], ["PRN heartburn"], True),
    ("Mucinex DM", ["1 tablet"], ["q12h"], True),
    ("Mucinex", ["600 mg"], ["q12h"], True),
    ("Robitussin", ["10 mL"], ["q4h PRN cough"], True),
    ("Dramamine", ["50 mg"], ["30 minutes before travel"], True),
    ("Imodium A-D", ["2 mg"], ["after each loose stool"], True),
    ("Pedialyte", ["5 mL", "15 mL"], ["every 5 minutes as tolerated"], True),
    ("Vicks VapoRub", [""], ["to chest at bedtime"], True),
    ("Miralax", ["17 g"], ["daily"], True),
    ("Dulcolax", ["10 mg"], ["suppository PRN"], True),
    ("Colace", ["100 mg"], ["BID"], True),
    ("Senokot-S", ["2 tablets"], ["nightly"], True),
    ("Metamucil", ["1 tablespoon"], ["daily"], True),
    ("Pepto-Bismol", ["30 mL"], ["q1h PRN, max 8 doses/day"], True),
    ("Gas-X", ["125 mg"], ["PRN bloating"], True),
    ("Maalox", ["10 mL"], ["PRN"], True),
    ("Nicorette gum", ["4 mg"], ["q1-2h PRN cravings"], True),
    ("NicoDerm CQ", ["21 mg"], ["patch daily"], True),
    ("Lactaid", ["1 caplet"], ["with dairy"], True),
    ("Zoloft", ["50 mg", "100 mg"], ["daily"], False),
    ("Lipitor", ["20 mg", "40 mg"], ["daily"], False),
    ("Crestor", ["10 mg", "20 mg"], ["daily"], False),
    ("Eliquis", ["5 mg", "2.5 mg"], ["BID"], False),
    ("Xarelto", ["20 mg", "15 mg"], ["daily with dinner"], False),
    ("Ozempic", ["0.25 mg", "0.5 mg", "1 mg", "2 mg"], ["weekly", "SC once weekly"], False),
    ("Mounjaro", ["2.5 mg", "5 mg", "7.5 mg"], ["weekly"], False),
    ("Wegovy", ["0.25 mg", "1.7 mg", "2.4 mg"], ["weekly"], False),
    ("Zepbound", ["2.5 mg", "5 mg"], ["weekly"], False),
    ("Trulicity", ["0.75 mg", "1.5 mg"], ["weekly"], False),
    ("Jardiance", ["10 mg", "25 mg"], ["daily"], False),
    ("Farxiga", ["10 mg"], ["daily"], False),
    ("Januvia", ["100 mg"], ["daily"], False),
    ("Humalog KwikPen", ["4 units", "6 units", "8 units"], ["with meals", "AC TID per scale"], False),
    ("Lantus SoloStar", ["12 units", "20 units", "28 units"], ["at bedtime"], False),
    ("Basaglar KwikPen", ["16 units", "22 units"], ["daily"], False),
    ("Novolog FlexPen", ["5 units"], ["with meals"], False),
    ("Tresiba FlexTouch", ["20 units", "30 units"], ["daily"], False),
    ("Synthroid", ["50 mcg", "75 mcg", "88 mcg", "100 mcg"], ["daily before breakfast"], False),
    ("EpiPen", ["0.3 mg"], ["IM PRN anaphylaxis"], False),
    ("EpiPen Jr", ["0.15 mg"], ["IM PRN anaphylaxis"], False),
    ("Auvi-Q", ["0.3 mg"], ["IM PRN anaphylaxis"], False),
    ("Ventolin HFA", ["90 mcg"], ["2 puffs q4h PRN"], False),
    ("ProAir HFA", ["90 mcg"], ["2 puffs q4-6h PRN"], False),
    ("Symbicort", ["160/4.5 mcg"], ["2 puffs BID"], False),
    ("Advair Diskus", ["250/50 mcg"], ["1 inhalation BID"], False),
    ("Breo Ellipta", ["100/25 mcg"], ["1 inhalation daily"], False),
    ("Trelegy Ellipta", ["100/62.5/25 mcg"], ["1 inhalation daily"], False),
    ("Spiriva Respimat", ["2.5 mcg"], ["2 inhalations daily"], False),
    ("Singulair", ["10 mg"], ["nightly"], False),
    ("Plavix", ["75 mg"], ["daily"], False),
    ("Coumadin", ["5 mg"], ["daily per <<LAB|INR>>"], False),
    ("Lasix", ["20 mg", "40 mg"], ["daily", "IV BID"], False),
    ("Norvasc", ["5 mg", "10 mg"], ["daily"], False),
    ("Toprol XL", ["25 mg", "50 mg"], ["daily"], False),
    ("Entresto", ["24-26 mg", "49-51 mg"], ["BID"], False),
    ("Xanax", ["0.25 mg", "0.5 mg"], ["TID PRN"], False),
    ("Ativan", ["0.5 mg", "1 mg"], ["q6h PRN"], False),
    ("Lexapro", ["10 mg", "20 mg"], ["daily"], False),
    ("Prozac", ["20 mg"], ["daily"], False),
    ("Wellbutrin XL", ["150 mg", "300 mg"], ["daily"], False),
    ("Cymbalta", ["30 mg", "60 mg"], ["daily"], False),
    ("Seroquel", ["25 mg", "50 mg"], ["nightly"], False),
    ("Abilify", ["5 mg"], ["daily"], False),
    ("Adderall XR", ["10 mg", "20 mg"], ["every morning"], False),
    ("Vyvanse", ["30 mg", "40 mg"], ["every morning"], False),
    ("Neurontin", ["300 mg"], ["TID"], False),
    ("Lyrica", ["75 mg"], ["BID"], False),
    ("Keppra", ["500 mg"], ["BID"], False),
    ("Lamictal", ["100 mg"], ["BID"], False),
    ("Imitrex", ["50 mg"], ["PRN migraine"], False),
    ("Flexeril", ["5 mg", "10 mg"], ["TID PRN spasm"], False),
    ("Valtrex", ["1 g"], ["BID"], False),
    ("Tamiflu", ["75 mg"], ["BID x 5 days"], False),
    ("Paxlovid", ["300-100 mg"], ["BID x 5 days"], False),
    ("Augmentin", ["875 mg"], ["BID x 10 days"], False),
    ("Zithromax Z-Pak", ["250 mg"], ["as directed x 5 days"], False),
    ("Keflex", ["500 mg"], ["QID"], False),
    ("Bactrim DS", ["1 tablet"], ["BID x 7 days"], False),
    ("Macrobid", ["100 mg"], ["BID x 5 days"], False),
    ("Diflucan", ["150 mg"], ["x1"], False),
    ("Humira", ["40 mg"], ["every 14 days"], False),
    ("Remicade", ["5 mg/kg"], ["every 8 weeks"], False),
    ("Dupixent", ["300 mg"], ["every 2 weeks"], False),
    ("Biktarvy", ["1 tablet"], ["daily"], False),
    ("Descovy", ["1 tablet"], ["daily for PrEP"], False),
    ("Suboxone", ["8-2 mg"], ["SL daily"], False),
    ("Chantix", ["1 mg"], ["BID"], False),
    ("Zofran", ["4 mg"], ["q8h PRN"], False),
    ("Reglan", ["10 mg"], ["before meals"], False),
    ("Protonix", ["40 mg"], ["daily"], False),
    ("Flomax", ["0.4 mg"], ["nightly"], False),
    ("Aricept", ["10 mg"], ["nightly"], False),
    ("Namenda", ["10 mg"], ["BID"], False),
    ("Sinemet", ["25/100 mg"], ["TID"], False),
    ("Plaquenil", ["200 mg"], ["BID"], False),
    ("Fosamax", ["70 mg"], ["weekly"], False),
    ("Prolia", ["60 mg"], ["SC every 6 months"], False),
    ("Reclast", ["5 mg"], ["IV once yearly"], False),
    ("Medrol Dosepak", ["4 mg"], ["taper as directed"], False),
    ("Toradol", ["30 mg"], ["IV x1"], False),
    ("Dilaudid", ["0.5 mg"], ["IV q3h PRN"], False),
    ("Percocet", ["5/325 mg"], ["q6h PRN"], False),
    ("Norco", ["5/325 mg"], ["q6h PRN"], False),
    ("Nitrostat", ["0.4 mg"], ["SL PRN chest pain"], False),
    ("Lovenox", ["40 mg"], ["SC daily"], False),
    ("Entyvio", ["300 mg"], ["IV every 8 weeks"], False),
    ("Stelara", ["90 mg"], ["SC every 8 weeks"], False),
    ("Ambien", ["5 mg"], ["at bedtime PRN"], False),
    ("Antivert", ["25 mg"], ["TID PRN"], False),
    ("Unasyn", ["3 g"], ["IV q6h"], False),
    ("Solu-Medrol", ["125 mg"], ["IV x1"], False),
    ("Decadron", ["10 mg"], ["IV x1"], False),
    ("Tessalon Perles", ["100 mg"], ["TID PRN cough"], False),
    ("RhoGAM", ["300 mcg"], ["IM x1"], False),
    ("Sublocade", ["300 mg"], ["SC monthly"], False),
    ("Vivitrol", ["380 mg"], ["IM every 4 weeks"], False),
]
DRUGS = {}
for _n, _d, _s in GENERICS:
    DRUGS[_n] = (_d, _s, False, False)
for _n, _d, _s, _o in BRANDS:
    DRUGS[_n] = (_d, _s, True, _o)
GENERIC_NAMES = [g[0] for g in GENERICS]
BRAND_NAMES = [b[0] for b in BRANDS]
OTC_NAMES = [b[0] for b in BRANDS if b[3]]
RX_BRANDS = [b[0] for b in BRANDS if not b[3]]
BRAND_GENERIC = {
    "Zoloft": "sertraline", "Lipitor": "atorvastatin", "Crestor": "rosuvastatin",
    "Eliquis": "apixaban", "Xarelto": "rivaroxaban", "Ozempic": "semaglutide",
    "Mounjaro": "tirzepatide", "Wegovy": "semaglutide", "Zepbound": "tirzepatide",
    "Trulicity": "dulaglutide", "Jardiance": "empagliflozin",
    "Farxiga": "dapagliflozin", "Januvia": "sitagliptin",
    "Humalog KwikPen": "insulin lispro", "Lantus SoloStar": "insulin glargine",
    "Basaglar KwikPen": "insulin glargine", "Novolog FlexPen": "insulin aspart",
    "Tresiba FlexTouch": "insulin degludec", "Synthroid": "levothyroxine",
    "Plavix": "clopidogrel", "Coumadin": "warfarin", "Lasix": "furosemide",
    "Norvasc": "amlodipine", "Toprol XL": "metoprolol succinate",
    "Entresto": "sacubitril-valsartan", "Lexapro": "escitalopram",
    "Prozac": "fluoxetine", "Wellbutrin XL": "bupropion XL",
    "Cymbalta": "duloxetine", "Seroquel": "quetiapine", "Abilify": "aripiprazole",
    "Neurontin": "gabapentin", "Lyrica": "pregabalin", "Keppra": "levetiracetam",
    "Lamictal": "lamotrigine", "Imitrex": "sumatriptan", "Valtrex": "valacyclovir",
    "Tamiflu": "oseltamivir", "Paxlovid": "nirmatrelvir-ritonavir",
    "Augmentin": "amoxicillin-clavulanate", "Keflex": "cephalexin",
    "Bactrim DS": "trimethoprim-sulfamethoxazole", "Macrobid": "nitrofurantoin",
    "Diflucan": "fluconazole", "Humira": "adalimumab", "Remicade": "infliximab",
    "Zofran": "ondansetron", "Protonix": "pantoprazole", "Flomax": "tamsulosin",
    "Aricept": "donepezil", "Namenda": "memantine", "Sinemet": "carbidopa-levodopa",
    "Plaquenil": "hydroxychloroquine", "Fosamax": "alendronate",
    "Reclast": "zoledronic acid", "Toradol": "ketorolac", "Dilaudid": "hydromorphone",
    "Lovenox": "enoxaparin", "Antivert": "meclizine", "Unasyn": "ampicillin-sulbactam",
    "Solu-Medrol": "methylprednisolone", "Decadron": "dexamethasone",
    "Xanax": "alprazolam", "Ativan": "lorazepam", "Flexeril": "cyclobenzaprine",
    "Suboxone": "buprenorphine-naloxone", "Chantix": "varenicline",
    "Ventolin HFA": "albuterol", "ProAir HFA": "albuterol",
    "Symbicort": "budesonide-formoterol", "Singulair": "montelukast",
    "Narcan": "naloxone", "Zyrtec": "cetirizine", "Claritin": "loratadine",
    "Allegra": "fexofenadine", "Benadryl Allergy": "diphenhydramine",
    "Tylenol Extra Strength": "acetaminophen", "Advil Liqui-Gels": "ibuprofen",
    "Motrin IB": "ibuprofen", "Aleve": "naproxen", "Pepcid AC": "famotidine",
    "Prilosec OTC": "omeprazole", "Imodium A-D": "loperamide",
    "Miralax": "polyethylene glycol 3350", "Colace": "docusate",
    "Plan B One-Step": "levonorgestrel", "Dramamine": "dimenhydrinate",
    "EpiPen": "epinephrine", "Ambien": "zolpidem", "Vivitrol": "naltrexone",
}

# Drug interactions for pharmacy notes (drug A, drug B, effect)
INTERACTIONS = [
    ("warfarin", "fluconazole", "increased <<LAB|INR>> and bleeding risk"),
    ("sertraline", "St. John's wort", "serotonin syndrome risk"),
    ("Zoloft", "St. John's wort", "serotonin syndrome risk"),
    ("lisinopril", "spironolactone", "hyperkalemia; check <<LAB|potassium>>"),
    ("levothyroxine", "calcium carbonate", "reduced absorption; separate by 4 hours"),
    ("Synthroid", "ferrous sulfate", "reduced absorption; separate by 4 hours"),
    ("clopidogrel", "omeprazole", "reduced antiplatelet effect; consider <<DRUG|pantoprazole>>"),
    ("methotrexate", "trimethoprim-sulfamethoxazole", "bone marrow suppression"),
    ("tramadol", "sertraline", "serotonin syndrome and seizure risk"),
    ("Eliquis", "naproxen", "bleeding risk"),
    ("apixaban", "Aleve", "bleeding risk"),
    ("sildenafil", "nitroglycerin", "profound hypotension"),
    ("Coumadin", "Bactrim DS", "markedly increased <<LAB|INR>>"),
    ("metformin", "iodinated contrast", "hold if <<LAB|eGFR>> below <<UNIT|30 mL/min/1.73m2>>"),
    ("simvastatin", "clarithromycin", "myopathy and rhabdomyolysis"),
    ("lithium", "lisinopril", "elevated <<LAB|lithium level>>"),
    ("quetiapine", "azithromycin", "QTc prolongation"),
    ("ciprofloxacin", "tizanidine", "severe hypotension and sedation"),
    ("oxycodone", "lorazepam", "additive respiratory depression"),
    ("Paxlovid", "atorvastatin", "increased statin levels; hold statin during course"),
]

# ---------------------------------------------------------------------------
# Labs: key -> (names, units, lo, hi, decimals, loinc, ref range)
# ---------------------------------------------------------------------------

LABS = {
    "na": (["sodium", "Na", "Na+"], ["mmol/L", "mEq/L"], 126, 148, 0, "2951-2", "136-145"),
    "k": (["potassium", "K", "K+"], ["mmol/L", "mEq/L"], 2.9, 6.1, 1, "2823-3", "3.5-5.1"),
    "cl": (["chloride", "Cl"], ["mmol/L"], 94, 112, 0, "2075-0", "98-107"),
    "co2": (["bicarbonate", "HCO3", "CO2"], ["mmol/L", "mEq/L"], 12, 32, 0, "2028-9", "22-29"),
    "bun": (["BUN", "urea nitrogen"], ["mg/dL"], 6, 72, 0, "3094-0", "7-20"),
    "cr": (["creatinine", "Cr", "creat"], ["mg/dL"], 0.5, 3.4, 2, "2160-0", "0.60-1.20"),
    "glu": (["glucose", "glu", "blood glucose"], ["mg/dL"], 62, 420, 0, "2345-7", "70-99"),
    "ca": (["calcium", "Ca"], ["mg/dL"], 7.2, 11.9, 1, "17861-6", "8.6-10.3"),
    "mg": (["magnesium", "Mg"], ["mg/dL"], 1.1, 2.8, 1, "19123-9", "1.7-2.2"),
    "phos": (["phosphorus", "phos"], ["mg/dL"], 1.8, 6.2, 1, "2777-1", "2.5-4.5"),
    "egfr": (["eGFR"], ["mL/min/1.73m2", "mL/min/1.73 m2", "mL/min/1.73m\u00b2"], 14, 112, 0, "98979-8", ">=60"),
    "a1c": (["HbA1c", "A1c", "hemoglobin A1c", "HgbA1c"], ["%"], 5.1, 12.4, 1, "4548-4", "<5.7"),
    "hgb": (["hemoglobin", "Hgb", "Hb"], ["g/dL"], 6.8, 16.9, 1, "718-7", "12.0-15.5"),
    "hct": (["hematocrit", "Hct"], ["%"], 21, 50, 1, "4544-3", "36.0-46.0"),
    "wbc": (["WBC", "white count"], ["K/uL", "x10^3/uL", "10*3/uL"], 2.8, 21.5, 1, "6690-2", "4.0-11.0"),
    "plt": (["platelets", "Plt", "platelet count"], ["K/uL", "x10^3/uL"], 62, 520, 0, "777-3", "150-400"),
    "mcv": (["MCV"], ["fL"], 66, 114, 0, "787-2", "80-100"),
    "tsh": (["TSH"], ["mIU/L", "uIU/mL"], 0.02, 14.5, 2, "3016-3", "0.40-4.50"),
    "ft4": (["free T4", "FT4"], ["ng/dL"], 0.4, 3.1, 2, "3024-7", "0.80-1.80"),
    "tni": (["troponin I", "TnI"], ["ng/mL"], 0.01, 4.8, 2, "10839-9", "<0.04"),
    "hstni": (["hs-troponin I", "high-sensitivity troponin I", "hs-TnI"], ["ng/L"], 2, 900, 0, "89579-7", "<20"),
    "bnp": (["BNP"], ["pg/mL"], 18, 2400, 0, "30934-4", "<100"),
    "ntprobnp": (["NT-proBNP"], ["pg/mL"], 60, 12000, 0, "33762-6", "<125"),
    "inr": (["INR"], [None], 0.9, 5.2, 1, "6301-6", "0.8-1.1"),
    "pt": (["PT", "prothrombin time"], ["sec", "s"], 10.5, 38, 1, "5902-2", "11.0-13.5"),
    "aptt": (["aPTT", "PTT"], ["sec", "s"], 22, 95, 1, "3173-2", "25-35"),
    "ldl": (["LDL-C", "LDL"], ["mg/dL"], 42, 212, 0, "13457-7", "<100"),
    "hdl": (["HDL-C", "HDL"], ["mg/dL"], 24, 88, 0, "2085-9", ">40"),
    "tg": (["triglycerides", "TG"], ["mg/dL"], 55, 640, 0, "2571-8", "<150"),
    "chol": (["total cholesterol"], ["mg/dL"], 118, 310, 0, "2093-3", "<200"),
    "alt": (["ALT"], ["U/L", "IU/L"], 7, 410, 0, "1742-6", "7-56"),
    "ast": (["AST"], ["U/L", "IU/L"], 9, 520, 0, "1920-8", "10-40"),
    "alp": (["alkaline phosphatase", "alk phos", "ALP"], ["U/L"], 38, 780, 0, "6768-6", "44-147"),
    "tbili": (["total bilirubin", "T bili", "Tbili"], ["mg/dL"], 0.2, 8.4, 1, "1975-2", "0.1-1.2"),
    "alb": (["albumin"], ["g/dL"], 1.9, 4.9, 1, "1751-7", "3.5-5.0"),
    "lipase": (["lipase"], ["U/L"], 10, 2400, 0, "3040-3", "10-60"),
    "ferritin": (["ferritin"], ["ng/mL"], 4, 1600, 0, "2276-4", "30-400"),
    "iron": (["iron", "serum iron"], ["mcg/dL"], 18, 190, 0, "2498-4", "60-170"),
    "b12": (["vitamin B12", "B12"], ["pg/mL"], 110, 1400, 0, "2132-9", "200-900"),
    "vitd": (["25-OH vitamin D", "vitamin D"], ["ng/mL"], 6, 68, 0, "62292-8", "30-100"),
    "pct": (["procalcitonin", "PCT"], ["ng/mL"], 0.02, 18, 2, "33959-8", "<0.10"),
    "lactate": (["lactate", "lactic acid"], ["mmol/L"], 0.6, 7.8, 1, "2524-7", "0.5-2.0"),
    "ddimer": (["D-dimer"], ["ng/mL FEU"], 150, 5200, 0, "48065-7", "<500"),
    "ddimer2": (["D-dimer"], ["mcg/mL FEU"], 0.15, 5.2, 2, "48065-7", "<0.50"),
    "crp": (["CRP", "C-reactive protein"], ["mg/L"], 0.4, 210, 1, "1988-5", "<10"),
    "esr": (["ESR", "sed rate"], ["mm/hr"], 2, 118, 0, "4537-7", "0-20"),
    "psa": (["PSA"], ["ng/mL"], 0.2, 16, 1, "2857-1", "<4.0"),
    "ck": (["CK", "CPK"], ["U/L"], 40, 9800, 0, "2157-6", "30-200"),
    "uric": (["uric acid"], ["mg/dL"], 2.8, 11.6, 1, "3084-1", "3.5-7.2"),
    "nh3": (["ammonia", "NH3"], ["umol/L", "mcmol/L"], 12, 160, 0, "16362-6", "11-35"),
    "cortisol": (["cortisol", "AM cortisol"], ["mcg/dL"], 1.1, 34, 1, "2143-6", "5-23"),
    "cerulo": (["ceruloplasmin"], ["mg/dL"], 4, 48, 0, "2064-4", "20-35"),
    "cd4": (["CD4 count", "CD4"], ["cells/uL", "cells/mm3"], 38, 1150, 0, "24467-3", "500-1500"),
    "vl": (["HIV viral load"], ["copies/mL"], 20, 185000, 0, None, "<20"),
    "uacr": (["urine ACR", "UACR", "urine albumin-to-creatinine ratio"], ["mg/g"], 4, 520, 0, "9318-7", "<30"),
    "ldh": (["LDH"], ["U/L"], 120, 980, 0, "2532-0", "140-280"),
    "ph": (["pH"], [None], 7.08, 7.52, 2, "2744-1", "7.35-7.45"),
    "pco2": (["pCO2", "PaCO2"], ["mmHg"], 22, 78, 0, "2019-8", "35-45"),
    "po2": (["pO2", "PaO2"], ["mmHg"], 52, 128, 0, "2703-7", "80-100"),
    "calpro": (["fecal calprotectin"], ["mcg/g"], 18, 1800, 0, None, "<50"),
    "gastrin": (["gastrin", "fasting gastrin"], ["pg/mL"], 40, 2400, 0, None, "<100"),
    "acth": (["ACTH"], ["pg/mL"], 4, 420, 0, None, "7-63"),
    "tpo": (["TPO antibodies", "anti-TPO"], ["IU/mL"], 5, 1200, 0, None, "<35"),
    "csfprot": (["CSF protein"], ["mg/dL"], 18, 240, 0, None, "15-45"),
    "osm": (["serum osmolality"], ["mOsm/kg"], 262, 330, 0, None, "275-295"),
    "bhb": (["beta-hydroxybutyrate", "BHB"], ["mmol/L"], 0.1, 8.2, 1, None, "<0.4"),
    "vanc": (["vancomycin trough"], ["mcg/mL"], 6, 28, 1, None, "10-20"),
    "lithium": (["lithium level"], ["mmol/L", "mEq/L"], 0.3, 1.9, 1, None, "0.6-1.2"),
    "antixa": (["anti-Xa"], ["IU/mL"], 0.1, 1.4, 2, None, "0.3-0.7"),
    "fib": (["fibrinogen"], ["mg/dL"], 90, 620, 0, None, "200-400"),
    "retic": (["reticulocyte count", "retic"], ["%"], 0.3, 9.5, 1, None, "0.5-2.5"),
    "hapto": (["haptoglobin"], ["mg/dL"], 5, 280, 0, None, "30-200"),
    "testo": (["total testosterone", "testosterone"], ["ng/dL"], 90, 980, 0, "2986-8", "264-916"),
    "poc": (["POC glucose", "fingerstick glucose", "FSBG"], ["mg/dL"], 48, 480, 0, None, "70-140"),
}
LAB_KEYS = list(LABS)
COMMON_LAB_KEYS = ["na", "k", "cr", "bun", "glu", "hgb", "wbc", "plt", "a1c",
                   "tsh", "egfr", "alt", "ast", "ldl", "inr", "ca", "mg", "alb"]

PANELS = ["CBC", "CBC with diff", "BMP", "CMP", "lipid panel", "urinalysis",
          "UA with reflex culture", "urine culture", "blood cultures x2",
          "hepatic function panel", "coags", "iron studies",
          "TSH with reflex free T4", "urine drug screen", "urine hCG",
          "serum beta-hCG", "rapid strep", "influenza A/B PCR",
          "SARS-CoV-2 PCR", "RPR", "hepatitis C antibody", "HIV-1/2 Ag/Ab",
          "ANA", "rheumatoid factor", "anti-CCP", "anti-SSA/SSB",
          "Lyme serology", "peripheral blood smear", "type and screen", "FIT",
          "stool culture", "C. diff PCR", "ABG", "VBG", "serum ketones",
          "Monospot", "24-hour urine copper", "lipase", "magnesium",
          "basic metabolic panel", "comprehensive metabolic panel",
          "thyroid panel", "hemoglobin A1c", "urine albumin-to-creatinine ratio"]
PANEL_LOINC = {"CBC": "58410-2", "CMP": "24323-8", "BMP": "51990-0",
               "lipid panel": "57698-3", "urinalysis": "24356-8",
               "comprehensive metabolic panel": "24323-8",
               "basic metabolic panel": "51990-0"}

PANEL_ROWS = {
    "BMP": ["na", "k", "cl", "co2", "bun", "cr", "glu", "ca", "egfr"],
    "CMP": ["na", "k", "cl", "co2", "bun", "cr", "glu", "ca", "alb", "alt", "ast", "alp", "tbili", "egfr"],
    "CBC": ["wbc", "hgb", "hct", "plt", "mcv"],
    "lipid panel": ["chol", "ldl", "hdl", "tg"],
    "thyroid": ["tsh", "ft4", "tpo"],
    "iron studies": ["iron", "ferritin", "b12"],
    "coags": ["pt", "inr", "aptt", "fib"],
    "cardiac": ["tni", "bnp", "ck", "mg", "k"],
    "hepatic": ["alt", "ast", "alp", "tbili", "alb", "inr"],
    "ABG": ["ph", "pco2", "po2", "lactate"],
    "sepsis": ["lactate", "pct", "wbc", "crp", "cr"],
    "diabetes": ["a1c", "glu", "uacr", "cr", "egfr"],
    "inflammatory": ["crp", "esr", "ferritin", "ldh"],
}

# ---------------------------------------------------------------------------
# Codes
# ---------------------------------------------------------------------------

CPT = [
    ("99202", "new patient office visit, straightforward MDM"),
    ("99203", "new patient office visit, low MDM"),
    ("99204", "new patient office visit, moderate MDM"),
    ("99205", "new patient office visit, high MDM"),
    ("99211", "established patient visit, minimal"),
    ("99212", "established patient visit, straightforward MDM"),
    ("99213", "established patient visit, low MDM"),
    ("99214", "established patient visit, moderate MDM"),
    ("99215", "established patient visit, high MDM"),
    ("99221", "initial hospital care, straightforward/low MDM"),
    ("99222", "initial hospital care, moderate MDM"),
    ("99223", "initial hospital care, high MDM"),
    ("99231", "subsequent hospital care, low MDM"),
    ("99232", "subsequent hospital care, moderate MDM"),
    ("99233", "subsequent hospital care, high MDM"),
    ("99238", "hospital discharge day management, 30 minutes or less"),
    ("99239", "hospital discharge day management, more than 30 minutes"),
    ("99283", "ED visit, low MDM"),
    ("99284", "ED visit, moderate MDM"),
    ("99285", "ED visit, high MDM"),
    ("99291", "critical care, first 30-74 minutes"),
    ("99292", "critical care, each additional 30 minutes"),
    ("99395", "preventive visit, established, age 18-39"),
    ("99396", "preventive visit, established, age 40-64"),
    ("99397", "preventive visit, established, age 65 and over"),
    ("99406", "tobacco cessation counseling, 3-10 minutes"),
    ("99497", "advance care planning, first 30 minutes"),
    ("99417", "prolonged outpatient service, each 15 minutes"),
    ("93000", "ECG with interpretation and report"),
    ("93010", "ECG interpretation and report only"),
    ("93306", "TTE complete with spectral and color flow <<EPONYM|Doppler>>"),
    ("93224", "<<EPONYM|Holter monitor>> recording up to 48 hours"),
    ("93880", "duplex scan of extracranial arteries, bilateral"),
    ("93970", "duplex scan of extremity veins, bilateral"),
    ("93971", "duplex scan of extremity veins, unilateral or limited"),
    ("93503", "<<EPONYM|Swan-Ganz catheter>> insertion"),
    ("80048", "<<LAB|basic metabolic panel>>"),
    ("80053", "<<LAB|comprehensive metabolic panel>>"),
    ("80061", "<<LAB|lipid panel>>"),
    ("85025", "<<LAB|CBC>> with automated differential"),
    ("85610", "<<LAB|prothrombin time>>"),
    ("85730", "<<LAB|PTT>>"),
    ("83036", "<<LAB|hemoglobin A1c>>"),
    ("84443", "<<LAB|TSH>>"),
    ("84439", "<<LAB|free T4>>"),
    ("84484", "<<LAB|troponin>>, quantitative"),
    ("83880", "natriuretic peptide (<<LAB|BNP>>)"),
    ("81003", "<<LAB|urinalysis>>, automated, without microscopy"),
    ("87086", "<<LAB|urine culture>>, quantitative colony count"),
    ("87880", "<<LAB|rapid strep>> antigen"),
    ("87635", "SARS-CoV-2 amplified probe technique"),
    ("86580", "TB skin test (<<EPONYM|Mantoux>>)"),
    ("88142", "<<EPONYM|Pap smear>>, thin layer preparation"),
    ("87205", "<<EPONYM|Gram stain>> smear with interpretation"),
    ("87206", "fluorescent and acid-fast (<<EPONYM|Ziehl-Neelsen>>) stain"),
    ("36415", "venipuncture"),
    ("71045", "chest X-ray, single view"),
    ("71046", "chest X-ray, 2 views"),
    ("71250", "CT chest without contrast"),
    ("70450", "CT head without contrast"),
    ("74177", "CT abdomen and pelvis with contrast"),
    ("76705", "limited abdominal ultrasound"),
    ("73721", "MRI lower extremity joint without contrast"),
    ("45378", "diagnostic colonoscopy"),
    ("45380", "colonoscopy with biopsy"),
    ("45385", "colonoscopy with snare polypectomy"),
    ("43239", "EGD with biopsy"),
    ("44970", "laparoscopic appendectomy"),
    ("47562", "laparoscopic cholecystectomy"),
    ("27447", "total knee arthroplasty"),
    ("27130", "total hip arthroplasty"),
    ("48150", "<<EPONYM|Whipple procedure>> (pancreatoduodenectomy)"),
    ("43280", "laparoscopic fundoplication (<<EPONYM|Nissen>>)"),
    ("20610", "arthrocentesis or injection, major joint"),
    ("20550", "injection, single tendon sheath"),
    ("64721", "carpal tunnel release"),
    ("26123", "partial palmar fasciectomy for <<EPONYM|Dupuytren contracture>>"),
    ("17311", "<<EPONYM|Mohs surgery>>, first stage"),
    ("11042", "debridement, subcutaneous tissue"),
    ("12002", "simple repair, 2.6-7.5 cm"),
    ("10060", "incision and drainage of abscess, simple"),
    ("56420", "incision and drainage of <<EPONYM|Bartholin gland>> abscess"),
    ("31500", "emergency endotracheal intubation"),
    ("36556", "central venous catheter insertion, age 5 or older"),
    ("51702", "<<EPONYM|Foley catheter>> insertion, simple"),
    ("92557", "comprehensive audiometry"),
    ("95992", "canalith repositioning (<<EPONYM|Epley maneuver>>)"),
    ("94010", "spirometry"),
    ("94060", "spirometry before and after bronchodilator"),
    ("95810", "polysomnography, attended"),
    ("90471", "immunization administration"),
    ("90686", "influenza vaccine, quadrivalent, preservative free"),
    ("90715", "Tdap vaccine"),
    ("96372", "therapeutic injection, SC or IM"),
    ("96365", "IV infusion, initial hour"),
    ("97110", "therapeutic exercise, each 15 minutes"),
    ("97140", "manual therapy, each 15 minutes"),
    ("97161", "PT evaluation, low complexity"),
    ("97162", "PT evaluation, moderate complexity"),
    ("97530", "therapeutic activities, each 15 minutes"),
    ("59510", "routine obstetric care including cesarean delivery"),
    ("59400", "routine obstetric care including vaginal delivery"),
    ("76805", "obstetric ultrasound after first trimester"),
    ("99460", "initial newborn care"),
    ("90837", "psychotherapy, 60 minutes"),
    ("90834", "psychotherapy, 45 minutes"),
    ("96127", "brief behavioral assessment (<<SCORE|PHQ-9>>)"),
    ("62270", "diagnostic lumbar puncture"),
    ("49083", "paracentesis with imaging guidance"),
    ("32555", "thoracentesis with imaging guidance"),
]
CPT += [
    ("82043", "<<LAB|urine albumin>>, quantitative"),
    ("88305", "surgical pathology, level IV"),
    ("71275", "CT angiography, chest"),
    ("73110", "X-ray wrist, 3 views"),
    ("73610", "X-ray ankle, 3 views"),
]
CPT_DICT = dict(CPT)
EM_OFFICE = ["99202", "99203", "99204", "99205", "99212", "99213", "99214", "99215"]
EM_HOSP = ["99221", "99222", "99223", "99231", "99232", "99233", "99238", "99239"]
EM_ED = ["99283", "99284", "99285", "99291"]

HCPCS = [
    ("G0438", "initial annual wellness visit"),
    ("G0439", "subsequent annual wellness visit"),
    ("G0444", "annual depression screening, 5-15 minutes"),
    ("G0442", "annual alcohol misuse screening"),
    ("G0121", "screening colonoscopy, not high risk"),
    ("G0105", "screening colonoscopy, high risk"),
    ("G2211", "visit complexity add-on"),
    ("G0008", "influenza vaccine administration"),
    ("G0009", "pneumococcal vaccine administration"),
    ("G0283", "unattended electrical stimulation"),
    ("J1100", "<<DRUG|dexamethasone>> sodium phosphate, <<UNIT|1 mg>>"),
    ("J1885", "<<DRUG|ketorolac>>, per <<UNIT|15 mg>>"),
    ("J2405", "<<DRUG|ondansetron>>, per <<UNIT|1 mg>>"),
    ("J3420", "<<DRUG|cyanocobalamin>>, up to <<UNIT|1000 mcg>>"),
    ("J1030", "<<DRUG|methylprednisolone>> acetate, <<UNIT|40 mg>>"),
    ("J0696", "<<DRUG|ceftriaxone>>, per <<UNIT|250 mg>>"),
    ("J7030", "normal saline, <<UNIT|1000 cc>>"),
    ("J3301", "<<DRUG|triamcinolone acetonide>>, per <<UNIT|10 mg>>"),
    ("J2270", "<<DRUG|morphine>> sulfate, up to <<UNIT|10 mg>>"),
    ("J1170", "<<DRUG|hydromorphone>>, up to <<UNIT|4 mg>>"),
    ("J2550", "<<DRUG|promethazine>>, up to <<UNIT|50 mg>>"),
    ("J0171", "<<DRUG|epinephrine>>, <<UNIT|0.1 mg>>"),
    ("J1650", "<<DRUG|enoxaparin>>, <<UNIT|10 mg>>"),
    ("J7613", "<<DRUG|albuterol>> inhalation solution, unit dose, <<UNIT|1 mg>>"),
    ("J2310", "<<DRUG|naloxone>>, per <<UNIT|1 mg>>"),
    ("J3490", "unclassified drugs"),
    ("J1569", "immune globulin (<<DRUG|Gammagard Liquid>>), <<UNIT|500 mg>>"),
    ("A4253", "blood glucose test strips, per 50"),
    ("A4259", "lancets, per box of 100"),
    ("A4206", "syringe with needle, sterile, <<UNIT|1 cc>>"),
    ("A4351", "intermittent urinary catheter"),
    ("A4338", "indwelling catheter, <<EPONYM|Foley>> type, two-way latex"),
    ("A7030", "full face mask used with PAP device"),
    ("A7037", "tubing used with PAP device"),
    ("E0601", "CPAP device"),
    ("E0470", "BiPAP without backup rate"),
    ("E0114", "crutches, underarm, pair"),
    ("E0143", "walker, folding, wheeled"),
    ("E0260", "hospital bed, semi-electric"),
    ("E1390", "oxygen concentrator"),
    ("E0431", "portable gaseous oxygen system"),
    ("L3908", "wrist hand orthosis, prefabricated"),
    ("L1830", "knee immobilizer, prefabricated"),
    ("L4361", "pneumatic walking boot"),
    ("K0001", "standard wheelchair"),
    ("Q2035", "influenza vaccine (<<DRUG|Afluria>>)"),
    ("Q4081", "<<DRUG|epoetin alfa>>, ESRD on dialysis, 100 units"),
]
HCPCS += [("J1745", "<<DRUG|infliximab>>, excludes biosimilar, <<UNIT|10 mg>>")]
HCPCS_DICT = dict(HCPCS)

ICD_COMMON = [
    ("E11.9", "type 2 diabetes mellitus without complications"),
    ("E11.65", "type 2 diabetes mellitus with hyperglycemia"),
    ("E11.22", "type 2 diabetes mellitus with diabetic CKD"),
    ("E10.9", "type 1 diabetes mellitus without complications"),
    ("I10", "essential hypertension"),
    ("I48.91", "atrial fibrillation, unspecified"),
    ("I48.0", "paroxysmal atrial fibrillation"),
    ("I50.22", "chronic systolic heart failure"),
    ("I50.9", "heart failure, unspecified"),
    ("I21.4", "NSTEMI"),
    ("I25.10", "CAD of native coronary artery without angina"),
    ("J45.909", "asthma, unspecified, uncomplicated"),
    ("J45.40", "moderate persistent asthma, uncomplicated"),
    ("J44.1", "COPD with acute exacerbation"),
    ("J18.9", "pneumonia, unspecified organism"),
    ("J06.9", "acute upper respiratory infection"),
    ("J02.0", "streptococcal pharyngitis"),
    ("F32.A", "depression, unspecified"),
    ("F33.1", "major depressive disorder, recurrent, moderate"),
    ("F41.1", "generalized anxiety disorder"),
    ("Z79.4", "long-term (current) use of insulin"),
    ("Z79.01", "long-term (current) use of anticoagulants"),
    ("Z79.84", "long-term use of oral hypoglycemic drugs"),
    ("E78.5", "hyperlipidemia, unspecified"),
    ("E03.9", "hypothyroidism, unspecified"),
    ("K21.9", "GERD without esophagitis"),
    ("N39.0", "urinary tract infection, site not specified"),
    ("N17.9", "acute kidney failure, unspecified"),
    ("N18.30", "CKD stage 3, unspecified"),
    ("N18.4", "CKD stage 4"),
    ("R07.9", "chest pain, unspecified"),
    ("R55", "syncope and collapse"),
    ("R51.9", "headache, unspecified"),
    ("M54.50", "low back pain, unspecified"),
    ("M17.11", "primary osteoarthritis, right knee"),
    ("M10.9", "gout, unspecified"),
    ("G47.33", "obstructive sleep apnea"),
    ("E66.9", "obesity, unspecified"),
    ("Z68.41", "BMI 40.0-44.9, adult"),
    ("D50.9", "iron deficiency anemia, unspecified"),
    ("I26.99", "pulmonary embolism without acute cor pulmonale"),
    ("I82.401", "acute DVT of unspecified deep veins of right lower extremity"),
    ("A41.9", "sepsis, unspecified organism"),
    ("U07.1", "COVID-19"),
    ("L03.115", "cellulitis of right lower limb"),
    ("G43.909", "migraine, unspecified, not intractable"),
    ("G40.909", "epilepsy, unspecified, not intractable"),
    ("F10.20", "alcohol dependence, uncomplicated"),
    ("F17.210", "nicotine dependence, cigarettes, uncomplicated"),
    ("K74.60", "unspecified cirrhosis of liver"),
    ("K85.90", "acute pancreatitis, unspecified"),
    ("K80.20", "calculus of gallbladder without cholecystitis"),
    ("K35.80", "unspecified acute appendicitis"),
    ("S72.001A", "fracture of neck of right femur, initial encounter"),
    ("O24.419", "gestational diabetes in pregnancy, unspecified control"),
    ("O24.410", "gestational diabetes in pregnancy, diet controlled"),
    ("Z00.00", "general adult exam without abnormal findings"),
    ("Z23", "encounter for immunization"),
    ("Z12.11", "screening for malignant neoplasm of colon"),
    ("R50.9", "fever, unspecified"),
    ("H66.90", "otitis media, unspecified"),
    ("B96.81", "H. pylori as the cause of disease"),
    ("E87.1", "hyponatremia"),
    ("E87.6", "hypokalemia"),
    ("D64.9", "anemia, unspecified"),
    ("R42", "dizziness and giddiness"),
    ("H81.10", "BPPV, unspecified ear"),
    ("S83.511A", "sprain of ACL of right knee, initial encounter"),
    ("M75.41", "impingement syndrome of right shoulder"),
    ("G56.01", "carpal tunnel syndrome, right upper limb"),
    ("M65.4", "radial styloid tenosynovitis [<<EPONYM|de Quervain>>]"),
    ("Z87.891", "personal history of nicotine dependence"),
    ("Z95.1", "presence of aortocoronary bypass graft"),
    ("Z86.73", "personal history of TIA without residual deficits"),
]
ICD_DICT = dict(ICD_COMMON)
ICD_DICT.update({
    "J44.9": "chronic obstructive pulmonary disease, unspecified",
    "G12.21": "amyotrophic lateral sclerosis",
    "K63.5": "polyp of colon",
    "N75.1": "abscess of <<EPONYM|Bartholin's gland>>",
    "D51.0": "vitamin B12 deficiency anemia due to intrinsic factor deficiency (<<EPONYM|Addisonian anemia>>)",
    "G61.0": "<<EPONYM|Guillain-Barre syndrome>>",
    "K50.90": "<<EPONYM|Crohn's disease>>, unspecified, without complications",
    "M72.0": "palmar fascial fibromatosis [<<EPONYM|Dupuytren>>]",
    "D04.9": "carcinoma in situ of skin (<<EPONYM|Bowen's disease>>)",
    "I45.6": "pre-excitation syndrome (<<EPONYM|WPW>>)",
    "S92.351A": "displaced fracture of fifth metatarsal (<<EPONYM|Jones fracture>>), right foot, initial encounter",
    "S52.531A": "<<EPONYM|Colles' fracture>> of right radius, initial encounter",
})
ICD_MSK = ["M17.11", "M54.50", "S83.511A", "M75.41", "G56.01", "M65.4"]

PCS = [
    ("0DTJ4ZZ", "laparoscopic appendectomy"),
    ("0DTJ0ZZ", "open appendectomy"),
    ("0FT44ZZ", "laparoscopic cholecystectomy"),
    ("02703ZZ", "dilation of one coronary artery, percutaneous"),
    ("027034Z", "PCI with drug-eluting stent, one artery"),
    ("02100Z9", "CABG x1, LIMA to LAD, open"),
    ("0SRC0J9", "right total knee replacement, cemented"),
    ("0SRD0J9", "left total knee replacement, cemented"),
    ("0SR90J9", "right total hip replacement, cemented"),
    ("0SRB0J9", "left total hip replacement, cemented"),
    ("5A1955Z", "mechanical ventilation, more than 96 consecutive hours"),
    ("5A1945Z", "mechanical ventilation, 24-96 consecutive hours"),
    ("5A1935Z", "mechanical ventilation, less than 24 consecutive hours"),
    ("0BH17EZ", "endotracheal intubation"),
    ("0DJ08ZZ", "EGD, inspection of upper intestinal tract"),
    ("0DJD8ZZ", "colonoscopy, inspection of lower intestinal tract"),
    ("0T9B70Z", "<<EPONYM|Foley catheter>> placement (drainage of bladder)"),
    ("30233N1", "transfusion of nonautologous red blood cells, peripheral vein"),
    ("0W9G3ZZ", "paracentesis"),
    ("0W9930Z", "right thoracentesis with drainage device"),
    ("10D00Z1", "low cervical cesarean section"),
    ("02HV33Z", "central venous catheter, SVC, percutaneous"),
    ("0DB64Z3", "laparoscopic sleeve gastrectomy"),
    ("0D164ZA", "laparoscopic <<EPONYM|Roux-en-Y gastric bypass>>"),
    ("0DV44ZZ", "laparoscopic <<EPONYM|Nissen fundoplication>>"),
    ("0FBG0ZZ", "excision of pancreas, open (<<EPONYM|Whipple>>)"),
    ("3E0234Z", "vaccine injection into muscle"),
    ("009U3ZX", "diagnostic lumbar puncture"),
    ("0UT90ZZ", "total hysterectomy, open"),
]
PCS_DICT = dict(PCS)

NDC_LABELERS_4 = ["0002", "0006", "0069", "0071", "0078", "0088", "0093",
                  "0169", "0173", "0310", "0378", "0409", "0456", "0527",
                  "0591", "0603", "0781", "0904", "0024", "0054"]
NDC_LABELERS_5 = ["50090", "68180", "65862", "16714", "31722", "60505",
                  "68382", "70010", "43598", "69097", "42291", "59762",
                  "33342", "27241", "63323", "57664", "68462", "72205",
                  "51991", "49884", "00378", "00093"]

# ---------------------------------------------------------------------------
# Eponymous diagnoses
# v: variants (first = canonical); icd: (code, description) or None
# ---------------------------------------------------------------------------


def E(v, icd=None, drugs=(), labs=(), dept="Internal Medicine", feats=(), sex=None, peds=False, abbr=()):
    return dict(v=list(v), icd=icd, drugs=list(drugs), labs=list(labs), dept=dept,
                feats=list(feats), sex=sex, peds=peds, abbr=list(abbr))


EPDX = [
    E(["Parkinson's disease", "Parkinson disease", "Parkinson's"], ("G20.A1", "<<EPONYM|Parkinson's disease>> without dyskinesia, without mention of fluctuations"),
      ["carbidopa-levodopa", "Sinemet", "pramipexole", "rasagiline"], ["b12"], "Neurology",
      ["resting tremor of the right hand", "cogwheel rigidity", "shuffling gait", "micrographia", "masked facies"]),
    E(["Crohn's disease", "Crohn disease", "Crohn's", "Crohn's ileitis"], ("K50.90", "<<EPONYM|Crohn's disease>>, unspecified, without complications"),
      ["adalimumab", "Humira", "infliximab", "budesonide", "Entyvio", "Stelara"], ["crp", "calpro", "ferritin", "alb", "hgb"], "Gastroenterology",
      ["terminal ileitis on MR enterography", "a perianal fistula", "an ileal stricture", "aphthous ulcers"]),
    E(["Hashimoto's thyroiditis", "Hashimoto thyroiditis", "Hashimoto's"], ("E06.3", "autoimmune thyroiditis (<<EPONYM|Hashimoto's>>)"),
      ["levothyroxine", "Synthroid"], ["tsh", "ft4", "tpo"], "Endocrinology",
      ["a small firm goiter", "fatigue and cold intolerance", "dry skin"]),
    E(["Graves' disease", "Graves disease", "Graves'"], ("E05.00", "thyrotoxicosis with diffuse goiter (<<EPONYM|Graves' disease>>) without thyrotoxic crisis"),
      ["methimazole", "propranolol", "propylthiouracil"], ["tsh", "ft4"], "Endocrinology",
      ["proptosis", "lid lag", "a fine tremor", "a thyroid bruit"]),
    E(["Addison's disease", "Addison disease", "Addison's"], ("E27.1", "primary adrenocortical insufficiency"),
      ["hydrocortisone", "fludrocortisone"], ["na", "k", "cortisol", "acth"], "Endocrinology",
      ["hyperpigmentation of the palmar creases", "salt craving", "orthostatic hypotension"]),
    E(["Cushing syndrome", "Cushing's syndrome", "Cushing's disease"], ("E24.9", "<<EPONYM|Cushing's syndrome>>, unspecified"),
      [], ["cortisol", "acth", "glu", "k"], "Endocrinology",
      ["violaceous abdominal striae", "proximal muscle weakness", "a dorsocervical fat pad", "a <<EPONYM|cushingoid>> habitus"]),
    E(["Barrett's esophagus", "Barrett esophagus", "Barrett's"], ("K22.70", "<<EPONYM|Barrett's esophagus>> without dysplasia"),
      ["omeprazole", "pantoprazole", "Prilosec OTC", "Protonix"], ["hgb"], "Gastroenterology",
      ["salmon-colored mucosa extending 3 cm above the GEJ", "chronic heartburn"]),
    E(["Wernicke encephalopathy", "Wernicke's encephalopathy", "Wernicke-Korsakoff syndrome"], ("E51.2", "<<EPONYM|Wernicke's encephalopathy>>"),
      ["thiamine", "folic acid"], ["mg", "lactate", "nh3"], "Neurology",
      ["ophthalmoplegia", "gait ataxia", "confusion"]),
    E(["Bell's palsy", "Bell palsy"], ("G51.0", "<<EPONYM|Bell's palsy>>"),
      ["prednisone", "valacyclovir"], [], "Neurology",
      ["forehead involvement", "incomplete eye closure on the affected side", "loss of the nasolabial fold"]),
    E(["Guillain-Barré syndrome", "Guillain-Barre syndrome", "GBS"], ("G61.0", "<<EPONYM|Guillain-Barre syndrome>>"),
      ["IVIG"], ["csfprot", "mg"], "Neurology",
      ["ascending weakness", "areflexia", "albuminocytologic dissociation on LP"], abbr=["GBS"]),
    E(["Sjögren's syndrome", "Sjogren's", "Sjögren syndrome"], ("M35.00", "<<EPONYM|Sjögren syndrome>>, unspecified"),
      ["pilocarpine", "hydroxychloroquine", "Plaquenil"], ["esr", "crp"], "Rheumatology",
      ["dry eyes and dry mouth", "bilateral parotid enlargement"]),
    E(["Raynaud's phenomenon", "Raynaud's", "Raynaud phenomenon"], ("I73.00", "<<EPONYM|Raynaud's syndrome>> without gangrene"),
      ["nifedipine ER", "amlodipine"], [], "Rheumatology",
      ["triphasic color change of the fingers in the cold", "digital pallor"]),
    E(["Hodgkin lymphoma", "Hodgkin's lymphoma", "Hodgkin's disease"], ("C81.90", "<<EPONYM|Hodgkin lymphoma>>, unspecified"),
      [], ["ldh", "esr", "hgb"], "Hematology/Oncology",
      ["painless cervical lymphadenopathy", "night sweats", "<<EPONYM|Reed-Sternberg cells>> on excisional biopsy"]),
    E(["Kaposi sarcoma", "Kaposi's sarcoma"], ("C46.9", "<<EPONYM|Kaposi's sarcoma>>, unspecified"),
      ["Biktarvy"], ["cd4", "vl"], "Infectious Disease",
      ["violaceous plaques on the lower legs", "an oral palatal lesion"]),
    E(["Meniere's disease", "Ménière's disease", "Meniere disease"], ("H81.09", "<<EPONYM|Ménière's disease>>, unspecified ear"),
      ["meclizine", "hydrochlorothiazide", "Antivert"], [], "ENT",
      ["episodic vertigo", "low-frequency sensorineural hearing loss", "aural fullness and tinnitus"]),
    E(["Ludwig's angina", "Ludwig angina"], ("K12.2", "cellulitis and abscess of mouth"),
      ["ampicillin-sulbactam", "Unasyn", "clindamycin"], ["wbc", "lactate"], "ENT",
      ["brawny submandibular swelling", "elevation of the floor of the mouth"]),
    E(["Colles fracture", "Colles' fracture"], ("S52.531A", "<<EPONYM|Colles' fracture>> of right radius, initial encounter"),
      ["acetaminophen", "ibuprofen", "Tylenol Extra Strength"], [], "Orthopedics",
      ["a dinner-fork deformity", "dorsal angulation of the distal radius"]),
    E(["Tourette syndrome", "Tourette's", "Tourette's disorder"], ("F95.2", "<<EPONYM|Tourette's disorder>>"),
      ["guanfacine ER", "aripiprazole"], [], "Neurology", ["motor and vocal tics"]),
    E(["Asperger's", "Asperger syndrome"], ("F84.5", "<<EPONYM|Asperger's syndrome>>"),
      [], [], "Behavioral Health", ["restricted interests", "difficulty with social cues"]),
    E(["Down syndrome", "Down's syndrome"], ("Q90.9", "<<EPONYM|Down syndrome>>, unspecified"),
      [], ["tsh"], "Pediatrics", ["AV canal repair in infancy", "hypotonia"], peds=True),
    E(["Turner syndrome", "Turner's syndrome"], ("Q96.9", "<<EPONYM|Turner's syndrome>>, unspecified"),
      ["somatropin", "estradiol"], [], "Endocrinology", ["short stature", "a bicuspid aortic valve"], sex="F"),
    E(["Marfan syndrome", "Marfan's", "Marfan"], ("Q87.40", "<<EPONYM|Marfan's syndrome>>, unspecified"),
      ["losartan"], [], "Cardiology", ["aortic root dilation", "ectopia lentis", "arachnodactyly"]),
    E(["Ehlers-Danlos syndrome", "hypermobile Ehlers-Danlos", "EDS"], ("Q79.60", "<<EPONYM|Ehlers-Danlos syndrome>>, unspecified"),
      [], [], "Rheumatology", ["joint hypermobility", "easy bruising", "atrophic scars"], abbr=["EDS"]),
    E(["Wilson's disease", "Wilson disease"], ("E83.01", "<<EPONYM|Wilson's disease>>"),
      ["penicillamine", "trientine", "zinc acetate"], ["cerulo", "alt", "ast"], "Hepatology",
      ["<<EPONYM|Kayser-Fleischer rings>> on slit lamp", "a tremor"]),
    E(["Paget's disease of bone", "Paget disease of bone", "Paget's"], ("M88.9", "osteitis deformans (<<EPONYM|Paget's disease>>) of unspecified bone"),
      ["alendronate", "zoledronic acid", "Reclast"], ["alp", "ca"], "Endocrinology", ["bowing of the tibia", "increasing hat size"]),
    E(["Osgood-Schlatter disease", "Osgood-Schlatter"], ("M92.521", "juvenile osteochondrosis of tibia tubercle, right leg"),
      ["ibuprofen", "Motrin IB"], [], "Sports Medicine", ["tibial tubercle tenderness"], peds=True),
    E(["Legg-Calvé-Perthes disease", "Legg-Calve-Perthes", "Perthes disease"], ("M91.11", "juvenile osteochondrosis of head of femur [<<EPONYM|Legg-Calvé-Perthes>>], right leg"),
      ["ibuprofen"], [], "Orthopedics", ["a painless limp", "limited hip internal rotation"], peds=True),
    E(["Kawasaki disease", "Kawasaki"], ("M30.3", "mucocutaneous lymph node syndrome [<<EPONYM|Kawasaki>>]"),
      ["IVIG", "aspirin"], ["crp", "esr", "plt", "alb"], "Pediatrics",
      ["bilateral conjunctival injection", "a strawberry tongue", "periungual desquamation"], peds=True),
    E(["Lyme disease", "Lyme"], ("A69.20", "<<EPONYM|Lyme disease>>, unspecified"),
      ["doxycycline", "amoxicillin"], [], "Infectious Disease",
      ["erythema migrans on the thigh", "migratory arthralgias", "a facial nerve palsy"]),
    E(["tetralogy of Fallot", "TOF", "Fallot's tetralogy"], ("Q21.3", "tetralogy of <<EPONYM|Fallot>>"),
      [], [], "Cardiology", ["repair in infancy", "a residual pulmonary regurgitation murmur"], abbr=["TOF"]),
    E(["Brugada syndrome", "Brugada pattern"], ("I49.8", "other specified cardiac arrhythmias (<<EPONYM|Brugada>>)"),
      [], ["k"], "Cardiology", ["coved ST elevation in V1-V2", "a family history of sudden cardiac death"]),
    E(["Wolff-Parkinson-White syndrome", "WPW", "Wolff-Parkinson-White pattern"], ("I45.6", "pre-excitation syndrome"),
      [], ["k", "tsh"], "Cardiology", ["delta waves and a short PR interval"], abbr=["WPW"]),
    E(["Mobitz type I block", "Mobitz II", "Mobitz type II second-degree AV block"], ("I44.1", "atrioventricular block, second degree"),
      [], ["k", "tsh"], "Cardiology", ["intermittent dropped beats on telemetry"]),
    E(["Dressler syndrome", "Dressler's syndrome"], ("I24.1", "<<EPONYM|Dressler's syndrome>>"),
      ["colchicine", "ibuprofen"], ["crp", "esr"], "Cardiology", ["a pericardial friction rub", "pleuritic chest pain"]),
    E(["Takotsubo cardiomyopathy", "takotsubo", "Takotsubo syndrome"], ("I51.81", "<<EPONYM|Takotsubo syndrome>>"),
      ["metoprolol succinate", "lisinopril"], ["tni", "bnp"], "Cardiology", ["apical ballooning on echo"]),
    E(["Prinzmetal angina", "Prinzmetal's angina"], ("I20.1", "angina pectoris with documented spasm"),
      ["diltiazem", "nitroglycerin", "Nitrostat"], ["tni"], "Cardiology", ["early-morning chest pain at rest"]),
    E(["Hirschsprung disease", "Hirschsprung's disease"], ("Q43.1", "<<EPONYM|Hirschsprung's disease>>"),
      [], [], "General Surgery", ["delayed passage of meconium", "abdominal distension"], peds=True),
    E(["Meckel diverticulum", "Meckel's diverticulum"], ("Q43.0", "<<EPONYM|Meckel's diverticulum>>"),
      [], ["hgb"], "General Surgery", ["painless rectal bleeding"], peds=True),
    E(["Zollinger-Ellison syndrome", "ZES"], ("E16.4", "increased secretion of gastrin (<<EPONYM|Zollinger-Ellison>>)"),
      ["pantoprazole", "omeprazole"], ["gastrin", "ca"], "Gastroenterology", ["multiple duodenal ulcers", "chronic diarrhea"], abbr=["ZES"]),
    E(["Budd-Chiari syndrome"], ("I82.0", "<<EPONYM|Budd-Chiari syndrome>>"),
      ["enoxaparin", "warfarin"], ["alt", "ast", "alb", "inr"], "Hepatology", ["tender hepatomegaly", "ascites"]),
    E(["Dupuytren contracture", "Dupuytren's contracture", "Dupuytren's"], ("M72.0", "palmar fascial fibromatosis [<<EPONYM|Dupuytren>>]"),
      [], [], "Hand Surgery", ["a palpable cord along the ring finger", "a positive tabletop test"]),
    E(["Baker's cyst", "Baker cyst"], ("M71.21", "synovial cyst of popliteal space [<<EPONYM|Baker>>], right knee"),
      ["acetaminophen", "naproxen"], [], "Orthopedics", ["posterior knee fullness"]),
    E(["Bartholin cyst", "Bartholin's cyst", "Bartholin gland abscess"], ("N75.0", "cyst of <<EPONYM|Bartholin's gland>>"),
      ["trimethoprim-sulfamethoxazole"], [], "OB/GYN", ["a tender fluctuant left labial mass"], sex="F"),
    E(["Mallory-Weiss tear", "Mallory-Weiss"], ("K22.6", "gastro-esophageal laceration-hemorrhage syndrome"),
      ["pantoprazole", "ondansetron"], ["hgb", "bun"], "Gastroenterology", ["hematemesis after repeated retching"]),
    E(["Stevens-Johnson syndrome", "SJS"], ("L51.1", "<<EPONYM|Stevens-Johnson syndrome>>"),
      [], ["wbc", "cr"], "Dermatology", ["targetoid lesions with mucosal erosions", "epidermal detachment under 10% BSA"], abbr=["SJS"]),
    E(["Huntington's disease", "Huntington disease"], ("G10", "<<EPONYM|Huntington's disease>>"),
      ["tetrabenazine"], [], "Neurology", ["choreiform movements", "a family history on the paternal side"]),
    E(["Alzheimer's disease", "Alzheimer's dementia", "Alzheimer disease"], ("G30.9", "<<EPONYM|Alzheimer's disease>>, unspecified"),
      ["donepezil", "memantine", "Aricept", "Namenda"], ["b12", "tsh"], "Neurology", ["short-term memory loss", "word-finding difficulty"]),
    E(["Whipple's disease", "Whipple disease"], ("K90.81", "<<EPONYM|Whipple's disease>>"),
      ["ceftriaxone", "trimethoprim-sulfamethoxazole"], ["alb"], "Gastroenterology", ["PAS-positive macrophages on duodenal biopsy", "migratory arthralgias"]),
    E(["de Quervain tenosynovitis", "de Quervain's tenosynovitis", "de Quervain's"], ("M65.4", "radial styloid tenosynovitis [<<EPONYM|de Quervain>>]"),
      ["naproxen"], [], "Hand Surgery", ["tenderness over the first dorsal compartment"]),
    E(["de Quervain thyroiditis", "subacute (de Quervain) thyroiditis"], ("E06.1", "subacute thyroiditis"),
      ["ibuprofen", "prednisone", "propranolol"], ["esr", "tsh", "ft4"], "Endocrinology", ["an exquisitely tender thyroid"]),
    E(["von Willebrand disease", "vWD"], ("D68.00", "<<EPONYM|von Willebrand disease>>, unspecified"),
      ["desmopressin"], ["aptt", "plt"], "Hematology/Oncology", ["heavy menstrual bleeding", "easy bruising"], abbr=["vWD"]),
    E(["Gilbert syndrome", "Gilbert's syndrome", "Gilbert's"], ("E80.4", "<<EPONYM|Gilbert syndrome>>"),
      [], ["tbili", "alt"], "Gastroenterology", ["mild scleral icterus during illness"]),
    E(["Klinefelter syndrome"], ("Q98.4", "<<EPONYM|Klinefelter syndrome>>, unspecified"),
      ["testosterone cypionate"], ["testo"], "Endocrinology", ["small firm testes", "gynecomastia"], sex="M"),
    E(["Conn syndrome", "Conn's syndrome"], ("E26.01", "<<EPONYM|Conn's syndrome>>"),
      ["spironolactone"], ["k", "na"], "Endocrinology", ["resistant hypertension with hypokalemia"]),
    E(["Sheehan syndrome", "Sheehan's syndrome"], ("E23.0", "hypopituitarism"),
      ["hydrocortisone", "levothyroxine"], ["cortisol", "na", "ft4"], "Endocrinology", ["failure to lactate postpartum"], sex="F"),
    E(["Behçet's disease", "Behcet disease"], ("M35.2", "<<EPONYM|Behçet's disease>>"),
      ["colchicine"], ["crp", "esr"], "Rheumatology", ["recurrent oral and genital ulcers", "anterior uveitis"]),
    E(["adult-onset Still's disease", "Still's disease"], ("M06.1", "<<EPONYM|adult-onset Still's disease>>"),
      ["prednisone"], ["ferritin", "crp"], "Rheumatology", ["quotidian fevers with a salmon-colored rash"]),
    E(["Buerger's disease", "Buerger disease"], ("I73.1", "thromboangiitis obliterans [<<EPONYM|Buerger's disease>>]"),
      ["nicotine patch"], [], "Vascular Surgery", ["digital ulcers in a heavy smoker"]),
    E(["Peyronie's disease", "Peyronie disease"], ("N48.6", "induration penis plastica"),
      [], [], "Urology", ["a dorsal penile plaque with curvature"], sex="M"),
    E(["Charcot-Marie-Tooth disease", "CMT"], ("G60.0", "hereditary motor and sensory neuropathy"),
      [], [], "Neurology", ["pes cavus", "distal leg atrophy"], abbr=["CMT"]),
    E(["Creutzfeldt-Jakob disease", "CJD"], ("A81.00", "<<EPONYM|Creutzfeldt-Jakob disease>>, unspecified"),
      [], [], "Neurology", ["rapidly progressive dementia with myoclonus"], abbr=["CJD"]),
    E(["Burkitt lymphoma"], ("C83.70", "<<EPONYM|Burkitt lymphoma>>, unspecified site"),
      [], ["ldh", "uric", "k"], "Hematology/Oncology", ["a rapidly enlarging abdominal mass"]),
    E(["Ewing sarcoma"], ("C41.9", "malignant neoplasm of bone, unspecified"),
      [], ["ldh"], "Hematology/Oncology", ["femoral diaphyseal pain at night"], peds=True),
    E(["Wilms tumor"], ("C64.1", "malignant neoplasm of right kidney"),
      [], ["cr"], "Hematology/Oncology", ["a painless flank mass"], peds=True),
    E(["Waldenström macroglobulinemia", "Waldenstrom macroglobulinemia"], ("C88.0", "<<EPONYM|Waldenström macroglobulinemia>>"),
      [], ["hgb", "ldh"], "Hematology/Oncology", ["hyperviscosity symptoms"]),
    E(["Henoch-Schönlein purpura", "HSP"], ("D69.0", "allergic purpura"),
      ["prednisone"], ["cr", "plt"], "Pediatrics", ["palpable purpura on the buttocks and legs"], peds=True, abbr=["HSP"]),
    E(["Goodpasture syndrome"], ("M31.0", "hypersensitivity angiitis (<<EPONYM|Goodpasture>>)"),
      ["methylprednisolone"], ["cr", "hgb"], "Nephrology", ["hemoptysis with rapidly rising creatinine"]),
    E(["Ramsay Hunt syndrome"], ("B02.21", "postherpetic geniculate ganglionitis"),
      ["valacyclovir", "prednisone"], [], "ENT", ["vesicles in the external auditory canal with facial palsy"]),
    E(["Zenker's diverticulum", "Zenker diverticulum"], ("K22.5", "diverticulum of esophagus, acquired"),
      [], [], "Gastroenterology", ["regurgitation of undigested food", "halitosis"]),
    E(["Schatzki ring"], ("K22.2", "esophageal obstruction"),
      [], [], "Gastroenterology", ["intermittent solid-food dysphagia"]),
    E(["Boerhaave syndrome"], ("K22.3", "perforation of esophagus"),
      ["piperacillin-tazobactam"], ["wbc", "lactate"], "General Surgery", ["chest pain after forceful vomiting"]),
    E(["Ogilvie syndrome"], ("K59.81", "<<EPONYM|Ogilvie syndrome>>"),
      [], ["k", "mg"], "General Surgery", ["massive cecal dilation without obstruction"]),
    E(["Tietze syndrome"], ("M94.0", "chondrocostal junction syndrome [<<EPONYM|Tietze>>]"),
      ["naproxen"], [], "Internal Medicine", ["tender swelling of the second costochondral junction"]),
    E(["Osler-Weber-Rendu syndrome", "hereditary hemorrhagic telangiectasia (Osler-Weber-Rendu)"], ("I78.0", "hereditary hemorrhagic telangiectasia"),
      ["ferrous sulfate"], ["hgb", "ferritin"], "Hematology/Oncology", ["recurrent epistaxis", "mucocutaneous telangiectasias"]),
    E(["Arnold-Chiari malformation", "Chiari I malformation"], ("Q07.00", "<<EPONYM|Arnold-Chiari syndrome>> without spina bifida or hydrocephalus"),
      [], [], "Neurology", ["occipital headache worse with <<EPONYM|Valsalva>>"]),
    E(["Sydenham chorea", "St. Vitus dance", "Sydenham's chorea"], ("I02.9", "rheumatic chorea without heart involvement"),
      ["amoxicillin"], ["esr"], "Pediatrics", ["involuntary, purposeless movements"], peds=True),
    E(["Lou Gehrig's disease"], ("G12.21", "amyotrophic lateral sclerosis"),
      [], ["ck"], "Neurology", ["fasciculations with upper and lower motor neuron signs"]),
    E(["Epstein-Barr virus mononucleosis", "Epstein-Barr virus infection", "EBV mononucleosis"], ("B27.00", "gammaherpesviral mononucleosis without complication"),
      ["acetaminophen"], ["alt", "wbc"], "Internal Medicine", ["posterior cervical lymphadenopathy", "splenomegaly"]),
    E(["Morton's neuroma", "Morton neuroma"], ("G57.61", "lesion of plantar nerve, right lower limb"),
      [], [], "Orthopedics", ["burning pain in the third web space"]),
    E(["Fabry disease"], ("E75.21", "<<EPONYM|Fabry disease>>"),
      [], ["cr", "uacr"], "Nephrology", ["acroparesthesias", "angiokeratomas"]),
    E(["Alport syndrome"], ("Q87.81", "<<EPONYM|Alport syndrome>>"),
      [], ["cr", "uacr"], "Nephrology", ["hematuria with sensorineural hearing loss"]),
    E(["Plummer-Vinson syndrome"], ("D50.1", "sideropenic dysphagia"),
      ["ferrous sulfate"], ["ferritin", "hgb"], "Gastroenterology", ["esophageal webs with iron deficiency"], sex="F"),
    E(["Pott's disease", "Pott disease"], ("A18.01", "tuberculosis of spine"),
      [], ["esr", "crp"], "Infectious Disease", ["a thoracic gibbus deformity"]),
    E(["Churg-Strauss syndrome"], ("M30.1", "polyarteritis with lung involvement [<<EPONYM|Churg-Strauss>>]"),
      ["prednisone"], ["crp"], "Rheumatology", ["asthma with peripheral eosinophilia"]),
    E(["Pick's disease"], ("G31.01", "<<EPONYM|Pick's disease>>"),
      [], [], "Neurology", ["disinhibition and apathy"]),
    E(["dementia with Lewy bodies", "Lewy body dementia"], ("G31.83", "neurocognitive disorder with <<EPONYM|Lewy bodies>>"),
      ["donepezil"], ["b12"], "Neurology", ["visual hallucinations", "fluctuating attention"]),
    E(["Bowen's disease", "Bowen disease"], ("D04.9", "carcinoma in situ of skin, unspecified"),
      [], [], "Dermatology", ["a scaly erythematous plaque on the shin"]),
    E(["Erb's palsy", "Erb palsy"], ("P14.0", "<<EPONYM|Erb's paralysis>> due to birth injury"),
      [], [], "Pediatrics", ["a waiter's tip posture of the arm"], peds=True),
    E(["Munchausen syndrome"], ("F68.10", "factitious disorder imposed on self, unspecified"),
      [], ["glu"], "Psychiatry", ["multiple prior admissions with unexplained hypoglycemia"]),
    E(["Sever's disease", "Sever disease"], ("M92.61", "juvenile osteochondrosis of tarsus, right ankle"), ["ibuprofen"], [], "Sports Medicine", ["posterior heel pain with running"], peds=True),
    E(["Scheuermann's kyphosis", "Scheuermann disease"], ("M42.00", "juvenile osteochondrosis of spine, site unspecified"), ["ibuprofen"], [], "Orthopedics", ["a rigid thoracic kyphosis"], peds=True),
    E(["Kienböck's disease", "Kienbock disease"], ("M93.1", "<<EPONYM|Kienböck's disease>> of adults"), ["naproxen"], [], "Hand Surgery", ["dorsal wrist pain over the lunate"]),
    E(["Hill-Sachs lesion"], ("M24.411", "recurrent dislocation, right shoulder"), [], [], "Orthopedics", ["recurrent anterior shoulder instability"]),
    E(["Lisfranc injury"], ("S93.621A", "sprain of tarsometatarsal ligament of right foot, initial encounter"), [], [], "Orthopedics", ["plantar midfoot ecchymosis"]),
    E(["Bennett fracture", "Bennett's fracture"], ("S62.211A", "<<EPONYM|Bennett's fracture>>, right hand, initial encounter"), [], [], "Hand Surgery", ["pain at the base of the thumb"]),
    E(["Jones fracture"], ("S92.351A", "displaced fracture of fifth metatarsal bone, right foot, initial encounter"), [], [], "Orthopedics", ["lateral foot pain at the fifth metatarsal base"]),
]
EPDX_CODED = [d for d in EPDX if d["icd"]]
EPDX_ADULT = [d for d in EPDX if not d["peds"]]
EPDX_PEDS = [d for d in EPDX if d["peds"]]

# ---------------------------------------------------------------------------
# Eponymous signs / tests (variants, type, system)
# type: s = sign/test with +/- result, f = finding present/absent, c = custom phrases
# ---------------------------------------------------------------------------

SIGNS = [
    (["Murphy's sign", "Murphy sign", "Murphy's"], "s", "abd"),
    (["Rovsing's sign", "Rovsing sign"], "s", "abd"),
    (["McBurney's point"], "c:no tenderness at {E}|point tenderness at {E}|maximal tenderness over {E}", "abd"),
    (["Cullen's sign", "Cullen sign"], "f", "abd"),
    (["Grey Turner's sign", "Grey Turner sign"], "f", "abd"),
    (["Carnett's sign", "Carnett sign"], "s", "abd"),
    (["Kehr's sign", "Kehr sign"], "s", "abd"),
    (["Blumberg sign", "Blumberg's sign"], "s", "abd"),
    (["Courvoisier's sign", "Courvoisier sign"], "f", "abd"),
    (["Babinski sign", "Babinski", "Babinski reflex"], "c:{E} negative bilaterally|{E} present on the left|upgoing toe ({E}) on the right|no {E}|{E} absent|downgoing toes, {E} negative", "neuro"),
    (["Romberg", "Romberg test", "Romberg sign"], "c:{E} negative|{E} positive|{E} negative, gait steady|unable to perform {E}|{E} mildly positive", "neuro"),
    (["Kernig sign", "Kernig's sign"], "s", "neuro"),
    (["Brudzinski sign", "Brudzinski's sign"], "s", "neuro"),
    (["Hoffmann sign", "Hoffmann's sign"], "s", "neuro"),
    (["Lhermitte's sign", "Lhermitte sign"], "s", "neuro"),
    (["Chvostek sign", "Chvostek's sign"], "s", "neuro"),
    (["Trousseau sign", "Trousseau's sign"], "s", "neuro"),
    (["Tinel's sign", "Tinel sign", "Tinel's"], "c:{E} positive at the wrist|{E} negative at the carpal tunnel|{E} positive at the cubital tunnel|{E} negative|+ {E} over the median nerve", "neuro"),
    (["Phalen's test", "Phalen test", "Phalen's maneuver"], "s", "neuro"),
    (["Argyll Robertson pupils", "Argyll Robertson pupil"], "f", "neuro"),
    (["Horner syndrome", "Horner's syndrome"], "f", "neuro"),
    (["Bell's phenomenon"], "c:{E} intact|{E} present with incomplete lid closure|good {E}", "neuro"),
    (["Dix-Hallpike", "Dix-Hallpike maneuver"], "c:{E} positive on the right with upbeating torsional nystagmus|{E} negative bilaterally|{E} reproduced vertigo on the left|{E} deferred", "neuro"),
    (["Gowers' sign", "Gower's sign", "Gowers sign"], "s", "neuro"),
    (["Hoover sign", "Hoover's sign"], "s", "neuro"),
    (["Lasègue sign", "Lasegue sign"], "s", "msk"),
    (["McMurray test", "McMurray's test", "McMurray"], "s", "msk"),
    (["Lachman test", "Lachman", "Lachman's"], "c:{E} 2+ with soft endpoint|{E} negative, firm endpoint|{E} positive|{E} 1+ with firm endpoint|{E} equivocal due to guarding", "msk"),
    (["Thompson test", "Thompson's test"], "s", "msk"),
    (["Spurling test", "Spurling's maneuver", "Spurling's"], "s", "msk"),
    (["Hawkins-Kennedy test", "Hawkins-Kennedy", "Hawkins test"], "s", "msk"),
    (["Neer test", "Neer's sign", "Neer impingement sign"], "s", "msk"),
    (["Finkelstein test", "Finkelstein's test", "Finkelstein"], "s", "msk"),
    (["Trendelenburg sign", "Trendelenburg gait"], "c:{E} negative|positive {E} on the right|mild {E}|no {E}", "msk"),
    (["Ober test", "Ober's test"], "s", "msk"),
    (["Thomas test"], "s", "msk"),
    (["Patrick's test", "Patrick test"], "s", "msk"),
    (["Apley grind test", "Apley test"], "s", "msk"),
    (["Yergason's test", "Yergason test"], "s", "msk"),
    (["Speed's test", "Speed test"], "s", "msk"),
    (["O'Brien test", "O'Brien's test"], "s", "msk"),
    (["Allen test", "modified Allen test"], "c:{E} normal bilaterally|{E} with brisk return <<UNIT|5 seconds>>|{E} abnormal on the left|{E} performed, adequate collateral flow", "vasc"),
    (["Homans' sign", "Homans sign", "Homan's sign"], "s", "vasc"),
    (["Stemmer sign", "Stemmer's sign"], "s", "vasc"),
    (["Buerger's test"], "s", "vasc"),
    (["Austin Flint murmur"], "f", "cv"),
    (["Osler nodes", "Osler's nodes"], "f", "cv"),
    (["Janeway lesions"], "f", "cv"),
    (["Roth spots"], "f", "cv"),
    (["Kussmaul sign", "Kussmaul's sign"], "f", "cv"),
    (["Quincke pulse", "Quincke's pulse"], "f", "cv"),
    (["de Musset sign"], "f", "cv"),
    (["Corrigan pulse", "Corrigan's pulse"], "f", "cv"),
    (["Beck's triad", "Beck triad"], "f", "cv"),
    (["Levine sign", "Levine's sign"], "f", "cv"),
    (["Carvallo sign"], "f", "cv"),
    (["Kussmaul breathing", "Kussmaul respirations", "Kussmaul respiration"], "f", "resp"),
    (["Cheyne-Stokes respiration", "Cheyne-Stokes breathing", "Cheyne-Stokes"], "f", "resp"),
    (["Biot's breathing"], "f", "resp"),
    (["Hamman's sign", "Hamman's crunch"], "f", "resp"),
    (["Nikolsky sign", "Nikolsky's sign"], "s", "skin"),
    (["Auspitz sign"], "f", "skin"),
    (["Koebner phenomenon", "koebnerization"], "f", "skin"),
    (["Darier sign", "Darier's sign"], "s", "skin"),
    (["Gottron papules", "Gottron's papules"], "f", "skin"),
    (["Beau's lines", "Beau lines"], "f", "skin"),
    (["Terry's nails"], "f", "skin"),
    (["Kayser-Fleischer rings", "KF rings"], "f", "skin"),
    (["Mees' lines"], "f", "skin"),
    (["Leser-Trélat sign"], "f", "skin"),
    (["Ortolani", "Ortolani maneuver"], "s", "peds"),
    (["Barlow", "Barlow maneuver"], "s", "peds"),
    (["Moro reflex", "Moro"], "c:{E} intact|{E} symmetric|{E} present and symmetric", "peds"),
    (["Galeazzi sign"], "s", "peds"),
    (["Brushfield spots"], "f", "peds"),
    (["Koplik spots"], "f", "peds"),
    (["Marcus Gunn pupil"], "f", "eye"),
    (["Hollenhorst plaque"], "f", "eye"),
    (["Battle sign", "Battle's sign"], "f", "ent"),
    (["Hennebert sign"], "s", "ent"),
    (["Chadwick sign", "Chadwick's sign"], "f", "ob"),
    (["Hegar sign", "Hegar's sign"], "f", "ob"),
    (["Goodell sign"], "f", "ob"),
    (["Braxton Hicks contractions", "Braxton-Hicks contractions"], "f", "ob"),
]
SIGN_S_PH = ["{E} negative", "{E} positive", "negative {E}", "positive {E}", "{E} neg",
             "{E} pos", "{E} (-)", "{E} (+)", "{E} negative bilaterally",
             "{E} positive on the right", "{E} positive on the left", "{E} equivocal",
             "no {E}", "{E} not elicited", "{E} absent"]
SIGN_T_PH = ["{E} negative", "{E} positive", "negative {E}", "positive {E}", "{E} (-)", "{E} (+)",
             "{E} negative bilaterally", "{E} positive on the right", "{E} positive on the left", "{E} equivocal",
             "{E} neg", "{E} pos"]
SIGN_F_PH = ["no {E}", "{E} noted", "{E} present", "{E} absent", "without {E}",
             "no evidence of {E}", "{E} not seen"]
SIGNS_BY_SYS = {}
for _s in SIGNS:
    SIGNS_BY_SYS.setdefault(_s[2], []).append(_s)

SIGN_DEF = {
    "Murphy's sign": "inspiratory arrest on deep palpation of the right upper quadrant; it supports acute cholecystitis",
    "Homans' sign": "calf pain on passive dorsiflexion of the foot; neither sensitive nor specific for DVT, so use the <<EPONYM|Wells score>> and a <<LAB|D-dimer>> instead",
    "Kernig sign": "pain or resistance to knee extension with the hip flexed to 90 degrees, a sign of meningeal irritation",
    "Brudzinski sign": "reflex hip and knee flexion when the neck is passively flexed, seen with meningismus",
    "Rovsing's sign": "right lower quadrant pain on palpation of the left lower quadrant, supporting appendicitis",
    "Chvostek sign": "twitching of the facial muscles when the facial nerve is tapped anterior to the ear; think hypocalcemia and check an <<LAB|ionized calcium>>",
    "Trousseau sign": "carpopedal spasm after a BP cuff is held above systolic pressure for 3 minutes; more specific than <<EPONYM|Chvostek>> for hypocalcemia",
    "Tinel's sign": "paresthesias in the nerve distribution when tapping over the nerve, e.g. the median nerve at the carpal tunnel",
    "Phalen's test": "reproduction of median nerve paresthesias with sustained wrist flexion for 60 seconds",
    "Lachman test": "anterior tibial translation with the knee flexed 20-30 degrees; the most sensitive exam test for an ACL tear",
    "McMurray test": "a painful click with knee flexion-extension and tibial rotation, suggesting a meniscal tear",
    "Thompson test": "absent plantarflexion when the calf is squeezed, indicating rupture of the <<EPONYM|Achilles tendon>>",
    "Finkelstein test": "pain over the radial styloid with ulnar deviation of the wrist, classic for <<EPONYM|de Quervain tenosynovitis>>",
    "Nikolsky sign": "epidermal separation with lateral pressure on the skin; positive in pemphigus vulgaris and <<EPONYM|SJS>>/TEN",
    "Auspitz sign": "pinpoint bleeding when a psoriatic scale is scraped off",
    "Koebner phenomenon": "new lesions at sites of skin trauma, classic for psoriasis, lichen planus and vitiligo",
    "Cullen's sign": "periumbilical ecchymosis from retroperitoneal hemorrhage, e.g. hemorrhagic pancreatitis",
    "Grey Turner's sign": "flank ecchymosis from retroperitoneal bleeding",
    "Lhermitte's sign": "an electric shock sensation down the spine with neck flexion, often seen in MS",
    "Babinski sign": "an upgoing great toe on plantar stimulation, an upper motor neuron sign",
    "Romberg test": "loss of balance with eyes closed, pointing to proprioceptive (dorsal column) dysfunction rather than cerebellar disease",
    "Kussmaul breathing": "deep labored respirations compensating for metabolic acidosis, e.g. DKA",
    "Cheyne-Stokes respiration": "cyclic crescendo-decrescendo breathing with central apneas, seen in heart failure and brainstem injury",
    "Beck's triad": "hypotension, JVD and muffled heart sounds in cardiac tamponade",
    "Virchow's triad": "stasis, endothelial injury and hypercoagulability, the three drivers of venous thrombosis",
    "Osler nodes": "painful nodules on the finger pads in infective endocarditis",
    "Janeway lesions": "painless hemorrhagic macules on the palms and soles in infective endocarditis",
    "Spurling test": "radicular arm pain with neck extension, rotation and axial load, suggesting cervical radiculopathy",
    "Hawkins-Kennedy test": "shoulder pain with forward flexion and forced internal rotation, suggesting subacromial impingement",
    "Trendelenburg sign": "contralateral pelvic drop during single-leg stance from hip abductor weakness",
    "Argyll Robertson pupil": "small pupils that accommodate but do not react to light, classically neurosyphilis; send an <<LAB|RPR>>",
    "Dix-Hallpike": "the provocative maneuver for posterior canal BPPV; treat a positive test with the <<EPONYM|Epley maneuver>>",
    "Kehr's sign": "referred left shoulder pain from diaphragmatic irritation, classically splenic rupture",
    "Battle sign": "mastoid ecchymosis suggesting a basilar skull fracture",
    "Levine sign": "a clenched fist held over the sternum while describing ischemic chest pain",
}

EP_PROC = ["Whipple procedure", "Nissen fundoplication", "Roux-en-Y gastric bypass",
           "Billroth II", "Hartmann's procedure", "Heller myotomy", "Mohs surgery",
           "Lichtenstein repair", "Bankart repair", "Latarjet procedure",
           "Tommy John surgery", "Kasai procedure", "Ross procedure",
           "Fontan procedure", "Blalock-Taussig shunt", "Nuss procedure"]
EP_MANEUVER = ["Epley maneuver", "Epley manoeuvre", "Valsalva maneuver", "Valsalva",
               "Heimlich maneuver", "McRoberts maneuver", "Leopold maneuvers",
               "Sellick maneuver", "Kocher maneuver", "Pringle maneuver",
               "Semont maneuver", "Credé maneuver"]
EP_DEVICE = ["Foley catheter", "Foley", "Swan-Ganz catheter", "Holter monitor",
             "Hickman line", "Jackson-Pratt drain", "JP drain", "Penrose drain",
             "Sengstaken-Blakemore tube", "Macintosh blade", "Miller blade",
             "Yankauer", "Venturi mask", "Kirschner wire", "K-wire",
             "Steinmann pin", "Tenckhoff catheter", "Ommaya reservoir",
             "Salem sump", "Dobhoff tube", "Thomas splint", "Mayo stand",
             "Kelly clamp", "Allis clamp", "Babcock clamp",
             "Metzenbaum scissors", "Bookwalter retractor", "Veress needle",
             "Hasson trocar", "Luer lock"]
EP_ANAT = ["McBurney's point", "circle of Willis", "Broca's area", "Wernicke's area",
           "Purkinje fibers", "bundle of His", "Achilles tendon", "Eustachian tube",
           "loop of Henle", "islets of Langerhans", "Peyer's patches",
           "sphincter of Oddi", "ampulla of Vater", "ligament of Treitz",
           "Hesselbach's triangle", "Calot's triangle", "Morison's pouch",
           "pouch of Douglas", "Scarpa's fascia", "Glisson's capsule",
           "Hartmann's pouch", "Hoffa's fat pad", "Virchow's node"]
EP_TESTS = ["Pap smear", "Gram stain", "Ziehl-Neelsen stain", "Coombs test",
            "Kleihauer-Betke test", "Mantoux test", "Tzanck smear",
            "Wright-Giemsa stain", "Westergren ESR", "Schirmer test",
            "Snellen chart", "Ishihara plates", "Weber test", "Rinne test",
            "Wood's lamp exam", "Holter monitor", "Doppler ultrasound"]
EP_SCORES = {  # name: (lo, hi) or None
    "Glasgow Coma Scale": (3, 15), "GCS": (3, 15), "Wells score": (0, 7),
    "Wells criteria": (0, 7), "CHA2DS2-VASc": (0, 8), "Child-Pugh": None,
    "Ranson criteria": (0, 6), "Bishop score": (2, 11), "Gleason score": (6, 9),
    "Killip class": None, "Mallampati": None, "Karnofsky": None,
    "Centor criteria": (0, 4), "Braden score": (9, 22), "Alvarado score": (2, 10),
    "Caprini score": (1, 8), "Harvey-Bradshaw index": (2, 16), "Mayo score": (1, 11),
}

# ---------------------------------------------------------------------------
# Rendering machinery
# ---------------------------------------------------------------------------

TOKEN_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}|<<([A-Z0-9]+)\|([^<>|]*)>>")
UNIT_WORDS = ("mg", "mcg", "g", "units", "unit", "mL", "mEq", "IU", "mg/kg", "g/kg",
              "mcg/actuation", "mcg/spray", "mg/24 hr", "mg/kg/week", "mcg/kg",
              "oz", "%", "mg/5 mL", "L", "L/min", "cc", "units/mL", "million units")
UNIT_RE = re.compile(r"^\d[\d.,/-]*\s?(?:" + "|".join(re.escape(u) for u in sorted(UNIT_WORDS, key=len, reverse=True)) + r")$")

LOWERABLE = {"EPONYM", "DRUG", "LAB", "STATE", "ROLE", "DEPT", "UNIT", "AGE", "SCORE"}
CODE_LABELS = {"CPT", "HCPCS", "ICD10CM", "ICD10PCS", "LOINC", "NDC"}


class Ctx:
    def __init__(self, rng, kind):
        self.rng = rng
        self.kind = kind
        self.peds = False
        self.sex = rng.choice("FM")
        self.age = rng.randint(19, 89)
        self.dx = None
        self.seen = set()
        self.hstyle = rng.choice(["upper", "title", "title", "md", "upper"])
        self.style = "std"
        self.vars = {}
        self.fever_ok = kind in ("triage", "ED note", "pediatric note", "nursing note", "discharge summary", "consult note", "telephone note")

    def set_peds(self):
        self.peds = True
        self.age = self.rng.randint(0, 17)
        self.months = self.rng.randint(2, 23)


def T(s):
    return (s, None)


def K(s, label):
    return (s, label)


def fill(tpl, C):
    """Render a template into a list of (text, label) parts."""
    out = []
    pos = 0
    for m in TOKEN_RE.finditer(tpl):
        if m.start() > pos:
            out.append(T(tpl[pos:m.start()]))
        if m.group(1):
            name = m.group(1)
            fn = SLOTS.get(name.lower())
            if fn is None:
                raise KeyError("unknown slot %r in %r" % (name, tpl))
            res = fn(C, m.group(2))
            if isinstance(res, str):
                res = fill(res, C)
            if name[0].isupper():
                res = capfirst(res)
            out.extend(res)
        else:
            tok = m.group(4)
            if "{" in tok:
                tok = "".join(p[0] for p in fill(tok, C))
            out.append(K(tok, m.group(3)))
        pos = m.end()
    if pos < len(tpl):
        out.append(T(tpl[pos:]))
    return out


def capfirst(parts):
    parts = list(parts)
    for i, (s, lab) in enumerate(parts):
        if not s:
            continue
        c = s[0]
        if c.islower() and not (len(s) > 1 and s[1].isupper()):
            parts[i] = (c.upper() + s[1:], lab)
        break
    return parts


def R(C):
    return C.rng


def pick(C, seq):
    return C.rng.choice(seq)


def chance(C, p):
    return C.rng.random() < p


def num(C, lo, hi, d=0):
    v = C.rng.uniform(lo, hi)
    if d == 0:
        return str(int(round(v)))
    return ("%." + str(d) + "f") % v


def dose_parts(dose):
    if not dose:
        return []
    if "<<" in dose or "{" in dose:
        return dose
    if UNIT_RE.match(dose):
        return [K(dose, "UNIT")]
    return [T(dose)]


def join_parts(items, sep=", ", last=None):
    out = []
    for i, it in enumerate(items):
        if i:
            out.append(T(last if (last and i == len(items) - 1) else sep))
        out.extend(it)
    return out


def F(C, tpl):
    return fill(tpl, C)


# ---------------------------------------------------------------------------
# Slots
# ---------------------------------------------------------------------------

SLOTS = {}


def slot(name):
    def deco(fn):
        SLOTS[name] = fn
        return fn
    return deco


def _sexword(C, short=False):
    if C.peds:
        if C.age < 1:
            return pick(C, ["infant", "boy" if C.sex == "M" else "girl"])
        return pick(C, ["boy", "child"]) if C.sex == "M" else pick(C, ["girl", "child"])
    if short:
        return C.sex
    if C.sex == "F":
        return pick(C, ["woman", "female", "woman", "F", "lady"])
    return pick(C, ["man", "male", "man", "M", "gentleman"])


def _age_expr(C):
    """Return (prefix_parts, needs_an) for an age adjective such as 67-year-old."""
    if C.peds:
        if C.age < 2:
            m = C.months
            return [K(pick(C, ["%d-month-old", "%d mo old", "%d-mo-old"]) % m, "AGE")], str(m)
        n = C.age
        return [K(pick(C, ["%d-year-old", "%d yo", "%d y/o"]) % n, "AGE")], str(n)
    n = C.age
    f = pick(C, ["%d-year-old", "%d-year-old", "%d yo", "%d y/o", "%d-yr-old", "%d year old", "%dyo"])
    return [K(f % n, "AGE")], str(n)


def _an(numstr):
    return "an" if (numstr.startswith("8") or numstr in ("11", "18")) else "a"


@slot("age")
def s_age(C, arg):
    return _age_expr(C)[0]


@slot("age_sex")
def s_age_sex(C, arg):
    return _age_sex(C, article=False)


@slot("a_age_sex")
def s_a_age_sex(C, arg):
    return _age_sex(C, article=True)


def _age_sex(C, article):
    form = C.rng.randint(0, 9)
    if C.peds:
        form = min(form, 3)
    n = C.age
    if form <= 3:
        parts, ns = _age_expr(C)
        sw = _sexword(C)
        res = parts + [T(" " + sw)]
        return ([T(_an(ns) + " ")] + res) if article else res
    if form == 4 and not article:
        return [K(str(n), "AGE"), T(C.sex)]            # 67F
    if form == 5 and not article:
        return [K("%d yo" % n, "AGE"), T(" " + C.sex)]  # 67 yo F
    if form == 6:
        sw = pick(C, ["woman", "female patient"]) if C.sex == "F" else pick(C, ["man", "male patient"])
        return [T(("a " if article else "") + sw + " aged "), K(str(n), "AGE")]
    if form == 7:
        sw = "woman" if C.sex == "F" else "man"
        pos = "her" if C.sex == "F" else "his"
        dec = (n // 10) * 10
        if dec < 20:
            dec = 20
        return [T(("a " if article else "") + sw + " in " + pos + " " + pick(C, ["", "late ", "early "])), K("%ds" % dec, "AGE")]
    if form == 8:
        sw = "woman" if C.sex == "F" else "man"
        return [T(("a " if article else "") + sw + " (age "), K(str(n), "AGE"), T(")")]
    parts, ns = _age_expr(C)
    sw = _sexword(C)
    res = parts + [T(" " + sw)]
    return ([T(_an(ns) + " ")] + res) if article else res


@slot("age_n")
def s_age_n(C, arg):
    return [K(str(C.age), "AGE")]


@slot("age_other")
def s_age_other(C, arg):
    lo, hi = (20, 89)
    if arg:
        lo, hi = [int(x) for x in arg.split("-")]
    n = C.rng.randint(lo, hi)
    f = pick(C, ["age %d", "%d", "%d yo", "%d years old"])
    if f == "age %d":
        return [T("age "), K(str(n), "AGE")]
    return [K(f % n, "AGE")]


@slot("pr")
def s_pr(C, arg):
    return "she" if C.sex == "F" else "he"


@slot("pos")
def s_pos(C, arg):
    return "her" if C.sex == "F" else "his"


@slot("obj")
def s_obj(C, arg):
    return "her" if C.sex == "F" else "him"


def _year(C, lo=1990, hi=2024):
    if not C.peds:
        lo = max(lo, CURRENT_YEAR - C.age + 3)
    else:
        lo = max(lo, CURRENT_YEAR - max(C.age, 1))
    if lo > hi:
        lo = hi
    return C.rng.randint(lo, hi)


@slot("year")
def s_year(C, arg):
    if arg == "recent":
        y = _year(C, 2018, 2024)
    elif arg == "old":
        y = _year(C, 1988, 2012)
    else:
        y = _year(C)
    C.vars["last_year"] = y
    return [K(str(y), "YEAR")]


@slot("year_after")
def s_year_after(C, arg):
    base = C.vars.get("last_year", 2015)
    y = C.rng.randint(min(base + 1, 2024), 2024)
    return [K(str(y), "YEAR")]


@slot("season_year")
def s_season_year(C, arg):
    y = C.rng.randint(2019, 2024)
    return [T(pick(C, ["fall ", "spring ", "summer ", "winter ", "late ", "early "])), K(str(y), "YEAR")]


@slot("state")
def s_state(C, arg):
    if chance(C, 0.35):
        return [K(pick(C, TRICKY_STATES), "STATE")]
    return [K(pick(C, STATES), "STATE")]


@slot("state_abbr")
def s_state_abbr(C, arg):
    if chance(C, 0.6):
        return [K(pick(C, COMMON_ABBR), "STATE")]
    return [K(pick(C, STATE_ABBR), "STATE")]


@slot("role")
def s_role(C, arg):
    return [K(pick(C, ROLES), "ROLE")]


ROLE_GENERAL = ["attending", "PCP", "hospitalist", "resident", "NP", "PA", "charge nurse", "pharmacist",
                "covering physician", "primary team", "fellow", "nurse practitioner", "physician assistant",
                "case manager", "primary care provider", "attending physician"]
ROLE_ED = ["attending", "ED attending", "charge nurse", "resident", "triage nurse", "PA", "NP", "emergency physician"]


@slot("ed_role")
def s_ed_role(C, arg):
    return [T("the "), K(pick(C, ROLE_ED), "ROLE")]


@slot("the_role")
def s_the_role(C, arg):
    r = pick(C, ROLE_GENERAL)
    if r in ("PCP", "NP", "PA", "RN"):
        return [T("the "), K(r, "ROLE")] if chance(C, 0.5) else [K(r, "ROLE")]
    return [T("the "), K(r, "ROLE")]


@slot("dept")
def s_dept(C, arg):
    return [K(pick(C, DEPTS), "DEPT")]


@slot("order_dept")
def s_order_dept(C, arg):
    return [K(pick(C, ["Emergency Department", "ED", "ICU", "MICU", "Internal Medicine", "Family Medicine", "Cardiology",
                       "Endocrinology", "Nephrology", "Hematology/Oncology", "Gastroenterology", "Hospital Medicine",
                       "Rheumatology", "Infectious Disease", "Pre-op Clinic"]), "DEPT")]


@slot("dx_dept")
def s_dx_dept(C, arg):
    return [K(C.dx["dept"], "DEPT")]


@slot("score")
def s_score(C, arg):
    name = pick(C, list(SCORES))
    lo, hi = SCORES[name]
    return [K(name, "SCORE"), T(pick(C, [" ", " of ", " = ", ": "]) + str(C.rng.randint(lo, hi)))]


@slot("ep_score")
def s_ep_score(C, arg):
    name = pick(C, list(EP_SCORES))
    rng_ = EP_SCORES[name]
    if name == "Child-Pugh":
        return [K(name, "EPONYM"), T(" class " + pick(C, ["A", "B", "C"]))]
    if name == "Killip class":
        return [K(name, "EPONYM"), T(" " + pick(C, ["I", "II", "III"]))]
    if name == "Mallampati":
        return [K(name, "EPONYM"), T(" " + pick(C, ["I", "II", "III", "IV"]))]
    if name == "Karnofsky":
        return [K(name, "EPONYM"), T(" " + pick(C, ["60", "70", "80", "90"]) + "%")]
    return [K(name, "EPONYM"), T(pick(C, [" ", " of ", " = "]) + str(C.rng.randint(*rng_)))]


@slot("pain")
def s_pain(C, arg):
    n = C.rng.randint(2, 10)
    return [K("%d/10" % n, "SCORE")]


@slot("n")
def s_n(C, arg):
    lo, hi = (2, 9)
    if arg:
        lo, hi = [int(x) for x in arg.split("-")]
    return str(C.rng.randint(lo, hi))


# --- diagnosis ---------------------------------------------------------------

def _dx_variant(C, d):
    key = id(d)
    vs = d["v"]
    if key not in C.seen:
        C.seen.add(key)
        cands = [v for v in vs if v not in d["abbr"]] or vs
        return pick(C, cands)
    return pick(C, vs)


@slot("dx")
def s_dx(C, arg):
    return [K(_dx_variant(C, C.dx), "EPONYM")]


def _icd_fmt(C, code):
    f = C.rng.randint(0, 5)
    if f <= 2:
        return [T(" ("), K(code, "ICD10CM"), T(")")]
    if f == 3:
        return [T(" ["), K(code, "ICD10CM"), T("]")]
    if f == 4:
        return [T(", ICD-10 "), K(code, "ICD10CM")]
    return [T(" - "), K(code, "ICD10CM")]


@slot("dx_full")
def s_dx_full(C, arg):
    parts = s_dx(C, None)
    if C.dx["icd"]:
        parts += _icd_fmt(C, C.dx["icd"][0])
    return parts


@slot("dx_icd")
def s_dx_icd(C, arg):
    if C.dx["icd"]:
        return [K(C.dx["icd"][0], "ICD10CM")]
    code = pick(C, icd_pool(C))[0]
    return [K(code, "ICD10CM")]


@slot("dx_icd_desc")
def s_dx_icd_desc(C, arg):
    if C.dx["icd"]:
        return C.dx["icd"][1]
    return s_dx(C, None)


@slot("dx_feat")
def s_dx_feat(C, arg):
    return pick(C, C.dx["feats"])


@slot("ep_dx")
def s_ep_dx(C, arg):
    pool = EPDX_PEDS if C.peds else EPDX_ADULT
    d = pick(C, [x for x in pool if x is not C.dx] or pool)
    return [K(pick(C, [v for v in d["v"] if v not in d["abbr"]] or d["v"]), "EPONYM")]


FAMILY_EP = ["Huntington's disease", "Marfan syndrome", "Ehlers-Danlos syndrome", "Wilson's disease", "Brugada syndrome",
             "Gilbert syndrome", "von Willebrand disease", "Fabry disease", "Alport syndrome", "Charcot-Marie-Tooth disease",
             "Osler-Weber-Rendu syndrome", "Hashimoto's thyroiditis", "Graves' disease", "Crohn's disease", "Alzheimer's disease",
             "Parkinson's disease", "Lynch syndrome", "Tay-Sachs disease", "Gaucher disease", "Hodgkin lymphoma",
             "Dupuytren contracture", "Raynaud's"]


@slot("fam_ep")
def s_fam_ep(C, arg):
    return [K(pick(C, FAMILY_EP), "EPONYM")]


@slot("ep_dx_any")
def s_ep_dx_any(C, arg):
    d = pick(C, EPDX)
    return [K(pick(C, [v for v in d["v"] if v not in d["abbr"]] or d["v"]), "EPONYM")]


@slot("ep_dx_coded")
def s_ep_dx_coded(C, arg):
    d = pick(C, EPDX_CODED)
    return [K(pick(C, [v for v in d["v"] if v not in d["abbr"]] or d["v"]), "EPONYM")] + _icd_fmt(C, d["icd"][0])


ICD_CHRONIC = {"E11.9", "E11.65", "E11.22", "I10", "E78.5", "J45.909", "J45.40", "F41.1", "F32.A", "E03.9", "K21.9",
               "N18.30", "N18.4", "G47.33", "M10.9", "I48.91", "I48.0", "F17.210", "Z87.891", "Z79.01", "Z79.4", "Z79.84",
               "E66.9", "I25.10", "I50.22", "M17.11", "M54.50", "D50.9", "G43.909", "Z95.1", "Z86.73", "E10.9"}


def icd_pool(C, chronic=True):
    out = []
    for code, desc in ICD_COMMON:
        if chronic and code not in ICD_CHRONIC:
            continue
        if code.startswith("O") and (C.sex != "F" or C.age > 44 or C.age < 16):
            continue
        if code in ("Z00.00", "Z68.41", "E66.9") and C.peds:
            continue
        out.append((code, desc))
    return out


@slot("icd")
def s_icd(C, arg):
    return [K(pick(C, icd_pool(C, chronic=(arg != "any")))[0], "ICD10CM")]


@slot("icd_item")
def s_icd_item(C, arg):
    used = C.vars.setdefault("used_icd", set())
    pool = icd_pool(C, chronic=(arg != "any"))
    cands = [x for x in pool if x[0] not in used] or pool
    code, desc = pick(C, cands)
    used.add(code)
    f = C.rng.randint(0, 3)
    if f == 0:
        return fill(desc, C) + [T(" (")] + [K(code, "ICD10CM")] + [T(")")]
    if f == 1:
        return [K(code, "ICD10CM"), T(" ")] + fill(desc, C)
    if f == 2:
        return [K(code, "ICD10CM"), T(" - ")] + fill(desc, C)
    return capfirst(fill(desc, C)) + [T(", "), K(code, "ICD10CM")]


@slot("pmh")
def s_pmh(C, arg):
    items = ["HTN", "HLD", "T2DM", "CAD", "COPD", "OSA on CPAP", "GERD", "CKD 3a",
             "AF on {brand_ac}", "hypothyroidism on <<DRUG|levothyroxine>>",
             "s/p CABG ({year})", "s/p <<EPONYM|Whipple procedure>> ({year})",
             "h/o <<EPONYM|Bell's palsy>> ({year})", "prior <<EPONYM|Colles fracture>>",
             "{ep_dx}", "{ep_dx}", "obesity (BMI {bmi})", "depression on {ssri}",
             "gout", "BPH on <<DRUG|tamsulosin>>", "asthma", "migraine",
             "remote <<EPONYM|Bell's palsy>>", "<<EPONYM|Raynaud's>>",
             "<<EPONYM|Hashimoto's>> on <<DRUG|Synthroid>>", "HFrEF (EF 35%)",
             "s/p lap chole ({year})", "<<EPONYM|Barrett's esophagus>>",
             "<<EPONYM|Gilbert syndrome>>", "CKD stage 3b", "prediabetes"]
    if C.age < 45:
        items = [x for x in items if not any(w in x for w in ("CABG", "CAD", "BPH", "CKD", "HFrEF", "Whipple", "AF on"))]
    k = C.rng.randint(2, 4)
    chosen = C.rng.sample(items, k)
    last = " and " if k == 2 else pick(C, [", and ", ", ", " and "])
    return join_parts([fill(x, C) for x in chosen], ", ", last)


@slot("brand_ac")
def s_brand_ac(C, arg):
    return [K(pick(C, ["Eliquis", "Xarelto", "apixaban", "warfarin", "Coumadin", "rivaroxaban"]), "DRUG")]


@slot("ssri")
def s_ssri(C, arg):
    return [K(pick(C, ["sertraline", "Zoloft", "escitalopram", "Lexapro", "fluoxetine", "Prozac"]), "DRUG")]


@slot("bmi")
def s_bmi(C, arg):
    return [T(num(C, 27, 46, 1))]


@slot("ep_comp")
def s_ep_comp(C, arg):
    return pick(C, ["<<EPONYM|Ogilvie syndrome>>, resolved with decompression", "<<EPONYM|Dressler syndrome>>, treated with <<DRUG|colchicine>>",
                    "<<EPONYM|takotsubo cardiomyopathy>> on echo", "<<EPONYM|Wernicke encephalopathy>>, given IV <<DRUG|thiamine>>",
                    "a <<EPONYM|Mallory-Weiss tear>> after emesis", "delirium, managed without antipsychotics",
                    "AKI with <<LAB|creatinine>> peak <<UNIT|2.4 mg/dL>>", "a rash concerning for early <<EPONYM|SJS>>; <<DRUG|Bactrim DS>> stopped",
                    "<<EPONYM|Cheyne-Stokes respiration>> overnight, improved with diuresis",
                    "a ruptured <<EPONYM|Baker's cyst>> mimicking DVT (negative <<EPONYM|Doppler>>)",
                    "hospital-acquired pneumonia treated with {drug}", "<<EPONYM|Foley>>-associated UTI"])


@slot("sym")
def s_sym(C, arg):
    return pick(C, SYMPTOMS)


@slot("side_effect")
def s_side_effect(C, arg):
    return pick(C, SIDE_EFFECTS)


@slot("relative")
def s_relative(C, arg):
    return pick(C, RELATIVES)


@slot("timeago")
def s_timeago(C, arg):
    return pick(C, TIMEAGO)


@slot("job")
def s_job(C, arg):
    return pick(C, JOBS)


@slot("supp")
def s_supp(C, arg):
    return pick(C, SUPPLEMENTS)


# --- drugs -------------------------------------------------------------------

def _drug_parts(C, name, with_sig=True, with_dose=True, generic_paren=False):
    doses, sigs, is_brand, otc = DRUGS[name]
    parts = [K(name, "DRUG")]
    if generic_paren and is_brand and name in BRAND_GENERIC and chance(C, 0.6):
        parts += [T(" ("), K(BRAND_GENERIC[name], "DRUG"), T(")")]
    if with_dose:
        d = pick(C, doses)
        dp = dose_parts(d)
        if isinstance(dp, str):
            dp = fill(dp, C)
        if dp:
            parts += [T(" ")] + dp
    if with_sig:
        parts += [T(" ")] + fill(pick(C, sigs), C)
    return parts


@slot("drug")
def s_drug(C, arg):
    return _drug_parts(C, pick(C, GENERIC_NAMES))


@slot("drug_dose")
def s_drug_dose(C, arg):
    return _drug_parts(C, pick(C, GENERIC_NAMES), with_sig=False)


@slot("drug_name")
def s_drug_name(C, arg):
    return [K(pick(C, GENERIC_NAMES), "DRUG")]


def _dx_drugname(C):
    if C.dx and C.dx["drugs"]:
        return pick(C, C.dx["drugs"])
    return pick(C, GENERIC_NAMES + RX_BRANDS)


@slot("dx_drug")
def s_dx_drug(C, arg):
    return _drug_parts(C, _dx_drugname(C), generic_paren=True)


@slot("dx_drug_dose")
def s_dx_drug_dose(C, arg):
    return _drug_parts(C, _dx_drugname(C), with_sig=False)


@slot("dx_drug_name")
def s_dx_drug_name(C, arg):
    return [K(_dx_drugname(C), "DRUG")]


@slot("brand")
def s_brand(C, arg):
    return _drug_parts(C, pick(C, RX_BRANDS))


@slot("brand_dose")
def s_brand_dose(C, arg):
    return _drug_parts(C, pick(C, RX_BRANDS), with_sig=False)


@slot("brand_name")
def s_brand_name(C, arg):
    return [K(pick(C, RX_BRANDS), "DRUG")]


@slot("otc")
def s_otc(C, arg):
    return _drug_parts(C, pick(C, OTC_NAMES))


@slot("otc_dose")
def s_otc_dose(C, arg):
    return _drug_parts(C, pick(C, OTC_NAMES), with_sig=False)


@slot("otc_name")
def s_otc_name(C, arg):
    return [K(pick(C, OTC_NAMES), "DRUG")]


@slot("any_drug")
def s_any_drug(C, arg):
    return _drug_parts(C, pick(C, GENERIC_NAMES + BRAND_NAMES), generic_paren=True)


CHRONIC = ["ergocalciferol", "metformin", "lisinopril", "losartan", "amlodipine", "atorvastatin", "rosuvastatin", "metoprolol succinate",
           "levothyroxine", "omeprazole", "pantoprazole", "sertraline", "escitalopram", "gabapentin", "tamsulosin",
           "furosemide", "apixaban", "empagliflozin", "insulin glargine", "montelukast", "allopurinol",
           "Eliquis", "Xarelto", "Lipitor", "Synthroid", "Jardiance", "Ozempic", "Lantus SoloStar", "Toprol XL",
           "Symbicort", "Flomax", "Zoloft", "Lexapro", "Entresto", "Farxiga", "Crestor", "Norvasc", "Plavix",
           "Trelegy Ellipta", "Humalog KwikPen", "Wellbutrin XL", "Protonix", "Lasix", "Singulair"]


@slot("chronic_med")
def s_chronic_med(C, arg):
    return _drug_parts(C, pick(C, CHRONIC), generic_paren=True)


@slot("chronic_med_name")
def s_chronic_med_name(C, arg):
    return [K(pick(C, CHRONIC), "DRUG")]


@slot("med_line")
def s_med_line(C, arg):
    if chance(C, 0.45):
        name = pick(C, BRAND_NAMES)
    else:
        name = pick(C, GENERIC_NAMES)
    return _drug_parts(C, name, generic_paren=True)


# --- labs --------------------------------------------------------------------

def _lab_val(C, key, name=None, sep=" ", loinc=False):
    names, units, lo, hi, d, lc, ref = LABS[key]
    name = name or pick(C, names)
    unit = pick(C, units)
    v = num(C, lo, hi, d)
    parts = [K(name, "LAB"), T(sep)]
    if unit is None:
        parts.append(T(v))
    elif unit == "%":
        parts.append(K(v + "%", "UNIT"))
    else:
        sp = " " if unit.startswith("mL/min") or " " in unit else pick(C, [" ", " ", " ", ""])
        parts.append(K(v + sp + unit, "UNIT"))
    if loinc and lc:
        parts += [T(" (LOINC "), K(lc, "LOINC"), T(")")]
    return parts


@slot("lab_val")
def s_lab_val(C, arg):
    key = arg if arg else pick(C, COMMON_LAB_KEYS + LAB_KEYS)
    return _lab_val(C, key, sep=pick(C, [" ", " ", ": ", " of ", " "]))


@slot("dx_lab_val")
def s_dx_lab_val(C, arg):
    used = C.vars.setdefault("used_lab_keys", set())
    pool = (C.dx["labs"] if (C.dx and C.dx["labs"]) else []) + COMMON_LAB_KEYS
    base = [k for k in (C.dx["labs"] if (C.dx and C.dx["labs"]) else []) if k not in used]
    cands = base or [k for k in pool if k not in used] or pool
    key = pick(C, cands)
    used.add(key)
    return _lab_val(C, key)


@slot("lab_list")
def s_lab_list(C, arg):
    keys = []
    if C.dx and C.dx["labs"]:
        keys += C.rng.sample(C.dx["labs"], min(len(C.dx["labs"]), C.rng.randint(1, 2)))
    pool = [k for k in COMMON_LAB_KEYS if k not in keys]
    keys += C.rng.sample(pool, C.rng.randint(2, 4))
    sep = pick(C, [", ", "; ", ", "])
    return join_parts([_lab_val(C, k) for k in keys], sep)


@slot("lab_name")
def s_lab_name(C, arg):
    if chance(C, 0.5):
        return [K(pick(C, PANELS), "LAB")]
    return [K(pick(C, LABS[pick(C, LAB_KEYS)][0]), "LAB")]


@slot("dx_lab_name")
def s_dx_lab_name(C, arg):
    if C.dx and C.dx["labs"]:
        return [K(LABS[pick(C, C.dx["labs"])][0][0], "LAB")]
    return s_common_lab(C, None)


@slot("panel")
def s_panel(C, arg):
    return [K(pick(C, PANELS), "LAB")]


@slot("lab_loinc")
def s_lab_loinc(C, arg):
    key = pick(C, [k for k in LAB_KEYS if LABS[k][5]])
    names, units, lo, hi, d, lc, ref = LABS[key]
    op = pick(C, [" (LOINC ", " - LOINC ", " [LOINC "])
    cl = {" (LOINC ": ")", " - LOINC ": "", " [LOINC ": "]"}[op]
    return [K(pick(C, names), "LAB"), T(op), K(lc, "LOINC"), T(cl)]


@slot("lab_val_loinc")
def s_lab_val_loinc(C, arg):
    key = pick(C, [k for k in LAB_KEYS if LABS[k][5]])
    return _lab_val(C, key, loinc=True)


@slot("loinc")
def s_loinc(C, arg):
    key = pick(C, [k for k in LAB_KEYS if LABS[k][5]])
    return [K(LABS[key][5], "LOINC")]


@slot("lab_trend")
def s_lab_trend(C, arg):
    key = arg or pick(C, ["tni", "cr", "k", "na", "hgb", "lactate", "wbc", "lipase", "alt", "glu", "bnp", "inr"])
    names, units, lo, hi, d, lc, ref = LABS[key]
    unit = pick(C, units)
    name = pick(C, names)
    v1, v2 = num(C, lo, hi, d), num(C, lo, hi, d)

    def u(v):
        if unit is None:
            return T(v)
        return K(v + ("" if unit == "%" else " ") + unit, "UNIT")
    f = C.rng.randint(0, 2)
    if f == 0:
        return [K(name, "LAB"), T(" "), u(v1), T(" on admission, " + pick(C, ["trending to ", "peaking at ", "improving to "])), u(v2)]
    if f == 1:
        return [K(name, "LAB"), T(" " + v1 + " -> "), u(v2)]
    return [K(name, "LAB"), T(" went from " + v1 + " to "), u(v2)]


# --- vitals ------------------------------------------------------------------

@slot("bp")
def s_bp(C, arg):
    sbp = C.rng.randint(142, 188) if chance(C, 0.2) else C.rng.randint(98, 142)
    dbp = C.rng.randint(52, min(110, sbp - 30))
    return [K("%d/%d %s" % (sbp, dbp, pick(C, ["mmHg", "mmHg", "mm Hg"])), "UNIT")]


@slot("temp")
def s_temp(C, arg):
    fever = C.fever_ok and chance(C, 0.2)
    if chance(C, 0.6):
        v = num(C, 100.5, 103.4, 1) if fever else num(C, 97.2, 99.4, 1)
        return [K(v + pick(C, [" \u00b0F", "\u00b0F", "F", " F"]), "UNIT")]
    v = num(C, 38.1, 39.6, 1) if fever else num(C, 36.2, 37.4, 1)
    return [K(v + pick(C, [" \u00b0C", "\u00b0C", "C"]), "UNIT")]


@slot("hr")
def s_hr(C, arg):
    hr = C.rng.randint(101, 132) if chance(C, 0.15) else C.rng.randint(54, 100)
    return [K("%d %s" % (hr, pick(C, ["bpm", "bpm", "beats/min"])), "UNIT")]


@slot("spo2")
def s_spo2(C, arg):
    return [K("%d%%" % C.rng.randint(90, 100), "UNIT")]


@slot("weight")
def s_weight(C, arg):
    if chance(C, 0.7):
        return [K(num(C, 48, 142, 1) + " kg", "UNIT")]
    return [K(num(C, 105, 310, 0) + " lb", "UNIT")]


@slot("vitals")
def s_vitals(C, arg):
    f = C.rng.randint(0, 3)
    rr = str(C.rng.randint(12, 24))
    o2 = pick(C, ["RA", "room air", "2 L NC", "4 L NC", "RA"])
    o2p = [T(o2)] if o2 in ("RA", "room air") else [K(o2.split(" NC")[0], "UNIT"), T(" NC")]
    if f == 0:
        return ([T("BP ")] + s_bp(C, None) + [T(", HR ")] + s_hr(C, None) + [T(", T ")] + s_temp(C, None)
                + [T(", RR " + rr + ", SpO2 ")] + s_spo2(C, None) + [T(" on ")] + o2p)
    if f == 1:
        return ([T("T ")] + s_temp(C, None) + [T("  P " + str(C.rng.randint(54, 110)) + "  R " + rr + "  BP ")]
                + s_bp(C, None) + [T("  O2 sat ")] + s_spo2(C, None) + [T(" ")] + o2p)
    if f == 2:
        return ([T("Vitals: ")] + s_bp(C, None) + [T(" | ")] + s_hr(C, None) + [T(" | ")] + s_temp(C, None)
                + [T(" | RR "), K(rr + "/min", "UNIT"), T(" | SpO2 ")] + s_spo2(C, None))
    kg = C.rng.uniform(48, 140)
    bmi = kg / (C.rng.uniform(1.52, 1.92) ** 2)
    wt = [K("%.1f kg" % kg, "UNIT")] if chance(C, 0.7) else [K("%d lb" % round(kg * 2.2046), "UNIT")]
    return ([T("BP ")] + s_bp(C, None) + [T(", pulse " + str(C.rng.randint(54, 104)) + ", temp ")] + s_temp(C, None)
            + [T(", wt ")] + wt + [T(", BMI "), K("%.1f kg/m2" % bmi, "UNIT")])


@slot("glu_range")
def s_glu_range(C, arg):
    a = C.rng.randint(90, 160)
    b = a + C.rng.randint(20, 140)
    return [K("%d-%d %s" % (a, b, pick(C, ["mg/dL", "mg/dl"])), "UNIT")]


@slot("unit")
def s_unit(C, arg):
    # generic numeric dose / volume
    f = pick(C, ["%d mL", "%d mg", "%d mcg", "%d units", "%d mEq"])
    return [K(f % C.rng.choice([5, 10, 20, 40, 100, 250, 500, 1000]), "UNIT")]


@slot("egfr_val")
def s_egfr_val(C, arg):
    return [K("%d mL/min/1.73m2" % C.rng.randint(12, 58), "UNIT")]


# --- signs / eponyms -----------------------------------------------------------

ADULT_SIGNS = [x for x in SIGNS if x[2] not in ("peds", "ob")]


def _sign_phrase(C, sysname=None, entry=None):
    pool = SIGNS_BY_SYS[sysname] if sysname else ADULT_SIGNS
    used = C.vars.setdefault("used_signs", set())
    for _ in range(8):
        cand = entry or pick(C, pool)
        if cand[0][0] not in used:
            break
    used.add(cand[0][0])
    variants, typ, _ = cand
    e = pick(C, variants)
    if typ == "s" and re.search(r"test|maneuver|Ortolani|Barlow|Lachman|McMurray|Finkelstein|Spurling|Hawkins|Neer|Patrick|Apley|Romberg", e):
        ph = pick(C, SIGN_T_PH)
    elif typ == "s":
        ph = pick(C, SIGN_S_PH)
    elif typ == "f":
        ph = pick(C, SIGN_F_PH)
    else:
        ph = pick(C, re.split(r"\|(?![^<]*>>)", typ[2:]))
    pre, _, post = ph.partition("{E}")
    res = []
    if pre:
        res.extend(fill(pre, C))
    res.append(K(e, "EPONYM"))
    if post:
        res.extend(fill(post, C))
    return res


@slot("sign")
def s_sign(C, arg):
    return _sign_phrase(C, arg or None)


@slot("sign_name")
def s_sign_name(C, arg):
    pool = SIGNS_BY_SYS[arg] if arg else ADULT_SIGNS
    return [K(pick(C, pick(C, pool)[0]), "EPONYM")]


@slot("ep_proc")
def s_ep_proc(C, arg):
    return [K(pick(C, EP_PROC), "EPONYM")]


@slot("ep_man")
def s_ep_man(C, arg):
    return [K(pick(C, EP_MANEUVER), "EPONYM")]


@slot("ep_dev")
def s_ep_dev(C, arg):
    return [K(pick(C, EP_DEVICE), "EPONYM")]


@slot("ep_anat")
def s_ep_anat(C, arg):
    return [K(pick(C, EP_ANAT), "EPONYM")]


@slot("ep_test")
def s_ep_test(C, arg):
    return [K(pick(C, EP_TESTS), "EPONYM")]


# --- codes ---------------------------------------------------------------------

@slot("cpt")
def s_cpt(C, arg):
    pool = {"em": EM_OFFICE, "hosp": EM_HOSP, "ed": EM_ED}.get(arg)
    code = pick(C, pool) if pool else pick(C, CPT)[0]
    C.vars["cpt"] = code
    return [K(code, "CPT")]


@slot("cpt_desc")
def s_cpt_desc(C, arg):
    return CPT_DICT[C.vars.get("cpt", "99213")]


@slot("cpt_item")
def s_cpt_item(C, arg):
    code, desc = pick(C, CPT)
    f = C.rng.randint(0, 3)
    if f == 0:
        return [T("CPT "), K(code, "CPT"), T(" (")] + fill(desc, C) + [T(")")]
    if f == 1:
        return [T("CPT "), K(code, "CPT"), T(" - ")] + fill(desc, C)
    if f == 2:
        return capfirst(fill(desc, C)) + [T(" (CPT "), K(code, "CPT"), T(")")]
    return [K(code, "CPT"), T(" ")] + fill(desc, C)


@slot("hcpcs")
def s_hcpcs(C, arg):
    pool = [h for h in HCPCS if h[0].startswith(arg)] if arg else HCPCS
    code = pick(C, pool)[0]
    C.vars["hcpcs"] = code
    return [K(code, "HCPCS")]


@slot("hcpcs_desc")
def s_hcpcs_desc(C, arg):
    return HCPCS_DICT[C.vars.get("hcpcs", "G0439")]


@slot("hcpcs_item")
def s_hcpcs_item(C, arg):
    pool = [h for h in HCPCS if h[0].startswith(arg)] if arg else HCPCS
    code, desc = pick(C, pool)
    f = C.rng.randint(0, 2)
    if f == 0:
        return [T("HCPCS "), K(code, "HCPCS"), T(" (")] + fill(desc, C) + [T(")")]
    if f == 1:
        return [K(code, "HCPCS"), T(" - ")] + fill(desc, C)
    return capfirst(fill(desc, C)) + [T(", HCPCS "), K(code, "HCPCS")]


@slot("pcs")
def s_pcs(C, arg):
    code = pick(C, PCS)[0]
    C.vars["pcs"] = code
    return [K(code, "ICD10PCS")]


@slot("pcs_item")
def s_pcs_item(C, arg):
    code, desc = pick(C, PCS)
    f = C.rng.randint(0, 2)
    if f == 0:
        return capfirst(fill(desc, C)) + [T(" (ICD-10-PCS "), K(code, "ICD10PCS"), T(")")]
    if f == 1:
        return [K(code, "ICD10PCS"), T(" - ")] + fill(desc, C)
    return capfirst(fill(desc, C)) + [T(", PCS "), K(code, "ICD10PCS")]


def _ndc(C):
    f = C.rng.randint(0, 3)
    d = lambda k: "".join(str(C.rng.randint(0, 9)) for _ in range(k))
    if f == 0:
        code = "%s-%s-%s" % (pick(C, NDC_LABELERS_4), d(4), d(2))
    elif f == 1:
        code = "%s-%s-%s" % (pick(C, NDC_LABELERS_5), d(3), d(2))
    elif f == 2:
        code = "%s-%s-%s" % (pick(C, NDC_LABELERS_5), d(4), d(1))
    else:
        lab = pick(C, NDC_LABELERS_4)
        code = "0%s-%s-%s" % (lab, d(4), d(2))
    C.vars["ndc"] = code
    return code


@slot("ndc")
def s_ndc(C, arg):
    return [K(_ndc(C), "NDC")]


@slot("ndc11")
def s_ndc11(C, arg):
    """11-digit 5-4-2 form of the last NDC."""
    code = C.vars.get("ndc") or _ndc(C)
    a, b, c = code.split("-")
    return [K("%s-%s-%s" % (a.zfill(5), b.zfill(4), c.zfill(2)), "NDC")]


# --- headers -----------------------------------------------------------------

@slot("h")
def s_h(C, arg):
    full, _, short = arg.partition("|")
    if short and C.hstyle == "md":
        return "**%s:**" % full
    if C.hstyle == "upper":
        return full.upper() + ":"
    if C.hstyle == "md":
        return "## " + full
    if short and C.rng.random() < 0.3:
        return short + ":"
    return full + ":"


# --- misc slots used by builders ------------------------------------------------

@slot("reason")
def s_reason(C, arg):
    return pick(C, ["routine follow-up", "medication review", "a 3-month follow-up",
                    "lab review", "worsening {sym}", "post-hospital follow-up",
                    "refills", "new {sym}", "a second opinion", "pre-op clearance"])


@slot("str")
def s_str(C, arg):
    return [K(pick(C, ["5/5", "5/5", "4/5", "4+/5", "3/5", "5-/5"]), "SCORE")]


@slot("sexw")
def s_sexw(C, arg):
    return "woman" if C.sex == "F" else "man"


@slot("hold_reason")
def s_hold_reason(C, arg):
    return pick(C, ["AKI", "NPO status", "hypotension", "a supratherapeutic <<LAB|INR>>",
                    "the planned procedure", "<<LAB|potassium>> of <<UNIT|5.9 mmol/L>>",
                    "<<LAB|creatinine>> rising to <<UNIT|2.1 mg/dL>>", "bradycardia"])


@slot("topic")
def s_topic(C, arg):
    return pick(C, ["hypoglycemia symptoms", "low-sodium diet", "fall precautions",
                    "bleeding precautions on {brand_ac}", "inhaler technique",
                    "sick-day rules for <<DRUG|metformin>> and <<DRUG|empagliflozin>>",
                    "taking <<DRUG|levothyroxine>> on an empty stomach",
                    "smoking cessation", "sun protection", "sleep hygiene",
                    "home BP monitoring", "stress-dose steroids"])


@slot("cplan")
def s_cplan(C, arg):
    old = C.vars.get("consult")
    C.vars["consult"] = True
    p = s_plan(C, arg)
    C.vars["consult"] = old
    return p


@slot("plan")
def s_plan(C, arg):
    pool = PLANS
    if not (C.dx and C.dx["drugs"]):
        pool = [p for p in pool if "dx_drug" not in p]
    if not C.vars.get("inpt"):
        pool = [p for p in pool if "inpatient" not in p]
    if C.vars.get("consult"):
        pool = [p for p in pool if "refer" not in p and "dx_dept" not in p]
    used = C.vars.setdefault("used_plans", set())
    cands = [p for p in pool if p not in used] or pool
    p = pick(C, cands)
    used.add(p)
    return p


PLANS = [
    "continue {dx_drug}", "continue {dx_drug}", "start {dx_drug}", "titrate {dx_drug_name} as tolerated",
    "recheck {dx_lab_name} and {common_lab} in {n:4-12} weeks", "refer to {dx_dept}",
    "discussed with {the_role}", "labs today: {common_lab}, {dx_lab_name}",
    "counseled on {topic}", "RTC in {n:2-12} weeks",
    "check {dx_lab_name} today", "{otc} for symptoms", "repeat {dx_lab_name} in {n:2-6} weeks",
    "f/u with {the_role} in {n:1-4} weeks", "consider {dx_dept} referral if no improvement",
    "order {dx_lab_loinc}", "{dx_dept} to see while inpatient",
]
PLANS_GENERIC = [
    "continue current regimen", "continue {chronic_med}", "recheck {common_lab} in {n:3-6} months", "stable, no changes",
    "goal reviewed; {chronic_med}", "counseled on {topic}", "labs today: {common_lab}, {common_lab}",
    "order {lab_loinc}", "follow with {the_role}", "{ep_score} reviewed", "start {brand}",
    "hold {chronic_med_name} for now", "monitor; {otc}",
]
COMMON_LABS = ["CBC", "BMP", "CMP", "lipid panel", "HbA1c", "TSH", "urinalysis", "magnesium", "hepatic function panel",
               "iron studies", "urine albumin-to-creatinine ratio", "vitamin D", "B12", "CBC with diff", "eGFR"]


@slot("common_lab")
def s_common_lab(C, arg):
    used = C.vars.setdefault("used_labs", set())
    cands = [x for x in COMMON_LABS if x not in used] or COMMON_LABS
    x = pick(C, cands)
    used.add(x)
    return [K(x, "LAB")]


@slot("dx_lab_loinc")
def s_dx_lab_loinc(C, arg):
    keys = [k for k in (C.dx["labs"] if C.dx else []) if LABS[k][5]]
    if not keys:
        return s_lab_loinc(C, None)
    key = pick(C, keys)
    return [K(pick(C, LABS[key][0]), "LAB"), T(" (LOINC "), K(LABS[key][5], "LOINC"), T(")")]


@slot("gplan")
def s_gplan(C, arg):
    return pick(C, PLANS_GENERIC)


@slot("cpt_set")
def s_cpt_set(C, arg):
    pool = [c for c in CPT if c[0].startswith(arg)] if arg else CPT
    C.vars["cpt"] = pick(C, pool)[0]
    return []


@slot("cpt_last")
def s_cpt_last(C, arg):
    return [K(C.vars["cpt"], "CPT")]


@slot("hcpcs_set")
def s_hcpcs_set(C, arg):
    pool = [h for h in HCPCS if h[0].startswith(arg)] if arg else HCPCS
    C.vars["hcpcs"] = pick(C, pool)[0]
    return []


@slot("hcpcs_last")
def s_hcpcs_last(C, arg):
    return [K(C.vars["hcpcs"], "HCPCS")]


@slot("pcs_set")
def s_pcs_set(C, arg):
    C.vars["pcs"] = pick(C, PCS)[0]
    return []


@slot("pcs_desc")
def s_pcs_desc(C, arg):
    return PCS_DICT[C.vars["pcs"]]


@slot("pcs_last")
def s_pcs_last(C, arg):
    return [K(C.vars["pcs"], "ICD10PCS")]


@slot("signq")
def s_signq(C, arg):
    name = pick(C, list(SIGN_DEF))
    C.vars["signdef"] = SIGN_DEF[name]
    return [K(name, "EPONYM")]


@slot("signdef")
def s_signdef(C, arg):
    return C.vars["signdef"]


@slot("ed")
def s_ed(C, arg):
    return [K(pick(C, ["Emergency Department", "ED", "emergency department", "ER"]), "DEPT")]


@slot("bgen_set")
def s_bgen_set(C, arg):
    b = pick(C, [x for x in BRAND_GENERIC if x in DRUGS])
    C.vars["bgen"] = b
    return []


@slot("bgen_brand")
def s_bgen_brand(C, arg):
    return [K(C.vars["bgen"], "DRUG")]


@slot("bgen_generic")
def s_bgen_generic(C, arg):
    return [K(BRAND_GENERIC[C.vars["bgen"]], "DRUG")]


@slot("bgen_dose")
def s_bgen_dose(C, arg):
    d = pick(C, DRUGS[C.vars["bgen"]][0])
    dp = dose_parts(d)
    return dp if dp else [T("as directed")]


@slot("inter")
def s_inter(C, arg):
    a, b, eff = pick(C, INTERACTIONS)
    return [K(a, "DRUG"), T(pick(C, [" + ", " with ", " and "])), K(b, "DRUG"), T(": ")] + fill(eff, C)


@slot("inter_q")
def s_inter_q(C, arg):
    a, b, eff = pick(C, INTERACTIONS)
    C.vars["inter"] = (a, b, eff)
    return [K(a, "DRUG"), T(" with "), K(b, "DRUG")]


@slot("inter_a")
def s_inter_a(C, arg):
    a, b, eff = C.vars["inter"]
    return fill(eff, C)


@slot("bullet")
def s_bullet(C, arg):
    return C.vars.get("bullet", "- ")


def some(C, pool, lo, hi=None):
    k = C.rng.randint(lo, hi if hi is not None else lo)
    return C.rng.sample(pool, min(k, len(pool)))


def bullet_char(C):
    return pick(C, ["- ", "* ", "\u2022 ", "- "])


# ---------------------------------------------------------------------------
# Sentence pools
# ---------------------------------------------------------------------------

HPI_INTRO_INPT = [
    "{A_age_sex} with {dx_full} admitted with {sym}; hospital day {n:2-6}.",
    "{Age_sex} admitted for {dx} ({dx_icd}); overnight {sym}, otherwise no events.",
    "{A_age_sex}, PMH {pmh}, admitted with {dx_feat}; working diagnosis {dx}.",
    "No acute events overnight. {A_age_sex} with {dx_full}, now tolerating diet.",
]
HPI_INTRO = [
    "{A_age_sex} with {dx_full}, diagnosed in {year}, here for routine follow-up.",
    "{Age_sex} with hx of {dx_full} and {pmh}, seen today for {reason}.",
    "Pt is {a_age_sex} with PMH of {pmh} and {dx}, presenting for {reason}.",
    "{A_age_sex} followed by {dx_dept} for {dx} since {year}; today reports {sym}.",
    "Follow-up of {dx_full} in {a_age_sex}.",
    "{A_age_sex} with {dx} (dx {year}) on {dx_drug} returns to clinic.",
    "{Age_sex} here for {reason}. Known {dx} since {year}.",
    "{Dx} in {a_age_sex}, stable since {year}; here for {reason}.",
]
HPI_MORE = [
    "Reports {sym} for the past {n:2-6} weeks; denies {sym}.",
    "Since the last visit {pr} stopped {brand_name} because of {side_effect}.",
    "{Otc_dose} has helped with {sym}; uses it a few times a week.",
    "{Brand_name} was switched to {drug_name} last visit due to {side_effect}.",
    "Adherent to {dx_drug}; no missed doses.",
    "Home BP readings mostly around {bp}.",
    "Fasting sugars {glu_range} on the home meter.",
    "{Pr} moved here from {state} in {year}; outside records reviewed.",
    "Recent travel to {state} {timeago}; no sick contacts.",
    "Family history notable for {fam_ep} in {pos} {relative}.",
    "Also taking {supp} on {pos} own.",
    "Last {dx_lab_val} ({year:recent}).",
    "Has been using {otc} for {sym}.",
    "Denies chest pain, {sym}, or {sym}.",
    "Works as a {job}; grew up in {state}.",
    "{Pr} asks whether {sym} could be related to {dx}.",
    "Ran out of {brand_name} {n:3-10} days ago.",
    "Was seen in the {ed} {timeago} for {sym}; {lab_val} at that time.",
    "{Brand_name} copay is an issue; asks about a generic.",
    "Quit smoking in {year}; no alcohol.",
    "Works as a {job} in {state}.", "Lives on a farm in rural {state}.",
    "Flu shot {season_year}; COVID booster {season_year}.", "Tdap {year:recent}; shingles vaccine series completed {season_year}.",
    "Last {screen_test} in {year:recent} was normal.",
]
EXAM_POOL = [
    "Gen: NAD, well-appearing.", "HEENT: PERRL, EOMI, oropharynx clear.",
    "CV: RRR, no m/r/g; {sign:cv}.", "Lungs: CTAB, no wheezes.",
    "Abd: soft, NT/ND; {sign:abd}.", "Neuro: A&Ox3; {sign:neuro}; {sign:neuro}.",
    "MSK: {sign:msk}, {sign:msk}.", "Ext: no edema; {sign:vasc}.", "Skin: {sign:skin}.",
    "Exam notable for {dx_feat}.", "{Sign}.", "Strength {str} throughout, reflexes 2+ and symmetric.",
    "Resp: {sign:resp}.",
]
AP_FIRST = [
    "{dx_full}: {plan}; {plan}.", "{Dx} - {plan}. {Plan}.", "{dx} ({dx_icd}) - {plan}; {plan}.",
    "{Dx}: {plan}.",
]
AP_OTHER = [
    "{icd_item}: {gplan}.", "{Icd_item} - {gplan}.", "{icd_item} - stable; {gplan}.",
]

COURSE = [
    "{Lab_trend}.", "Treated with {drug} with improvement.",
    "{Chronic_med_name} was held on admission for {hold_reason}.",
    "{Dx_dept} consulted; recommended {cplan}.", "{Sign} on hospital day {n:2-5}.",
    "Course complicated by {ep_comp}.", "Transferred from an outside hospital in {state}.",
    "Transfused 1 unit PRBC (<<ICD10PCS|30233N1>>) for {lab_val:hgb}.",
    "{Ep_dev} placed on admission and removed on day {n:2-4}.",
    "Received {ed_drug} in the {ed}.", "{Ep_score} on admission.",
    "Echo showed EF {n:25-65}% with normal RV function.",
    "Seen by {the_role}, who agreed with the plan.",
    "Discharged with {otc}.", "{Dx_drug_name} was started and tolerated well.",
    "{Pr} lives part of the year in {state}; records requested from there.",
    "May resume {chronic_med_name} at follow-up if {common_lab} is stable.",
    "{Lab_val} on the morning of discharge.",
]


# ---------------------------------------------------------------------------
# Builders (each returns a template string)
# ---------------------------------------------------------------------------

def choose_dx(C, coded=False):
    pool = EPDX_PEDS if C.peds else EPDX_ADULT
    if coded:
        pool = [d for d in pool if d["icd"]] or EPDX_CODED
    pool = [d for d in pool if d["sex"] in (None, C.sex)]
    C.dx = pick(C, pool)


def b_progress(C):
    choose_dx(C)
    inpt = chance(C, 0.35)
    C.vars["inpt"] = inpt
    if inpt:
        L = [pick(C, ["Hospital Day {n:2-9} Progress Note", "Daily Progress Note (<<DEPT|Hospital Medicine>>)", "INPATIENT PROGRESS NOTE",
                      "{dx_dept} Progress Note", "Hospitalist progress note"])]
        intro = pick(C, HPI_INTRO_INPT)
        more = some(C, [x for x in HPI_MORE if "clinic" not in x and "last visit" not in x and "Home BP" not in x], 1, 2)
    else:
        L = [pick(C, ["PROGRESS NOTE", "Progress Note", "Clinic Follow-up Visit", "{dx_dept} clinic note", "SOAP NOTE", "Follow-up visit",
                      "Office visit"])]
        intro = pick(C, HPI_INTRO)
        more = some(C, HPI_MORE, 1, 3)
    L.append("{h:Subjective|S}" + " " + intro + " " + " ".join(more))
    L.append("{h:Objective|O}" + " {vitals}. " + " ".join(some(C, EXAM_POOL, 1, 3)))
    if chance(C, 0.6):
        L.append(pick(C, ["Labs: {lab_list}.", "Recent labs: {lab_list}.", "{Lab_trend}."]))
    L.append("{h:Assessment and Plan|A/P}")
    L.append("1. " + pick(C, AP_FIRST))
    for i in range(C.rng.randint(1, 2)):
        L.append("%d. " % (i + 2) + pick(C, AP_OTHER))
    if chance(C, 0.4):
        L.append(pick(C, ["E/M: {cpt:em}.", "Billed {cpt:em}; total time {n:25-45} minutes.",
                          "Level of service {cpt:em}, MDM moderate.", "Discussed with {the_role}.",
                          "RTC {n:2-12} weeks or sooner PRN."]))
    return "\n".join(L)


INPT_DX = {"Crohn's disease", "Addison's disease", "Cushing syndrome", "Wernicke encephalopathy", "Guillain-Barré syndrome",
           "Hodgkin lymphoma", "Kaposi sarcoma", "Ludwig's angina", "Colles fracture", "Lyme disease", "Brugada syndrome",
           "Wolff-Parkinson-White syndrome", "Mobitz type I block", "Dressler syndrome", "Takotsubo cardiomyopathy",
           "Prinzmetal angina", "Zollinger-Ellison syndrome", "Budd-Chiari syndrome", "Mallory-Weiss tear", "Stevens-Johnson syndrome",
           "Whipple's disease", "Goodpasture syndrome", "Boerhaave syndrome", "Ogilvie syndrome", "Lou Gehrig's disease",
           "Creutzfeldt-Jakob disease", "Burkitt lymphoma", "Osler-Weber-Rendu syndrome", "Pott's disease", "Churg-Strauss syndrome",
           "Parkinson's disease", "Graves' disease", "Wilson's disease", "adult-onset Still's disease", "Waldenström macroglobulinemia",
           "dementia with Lewy bodies", "Alzheimer's disease", "Epstein-Barr virus mononucleosis", "Huntington's disease",
           "Bell's palsy", "Plummer-Vinson syndrome", "Behçet's disease", "Buerger's disease"}


def b_discharge(C):
    pool = [d for d in EPDX_ADULT if d["v"][0] in INPT_DX and d["sex"] in (None, C.sex)]
    C.dx = pick(C, pool)
    L = [pick(C, ["DISCHARGE SUMMARY", "Discharge Summary", "HOSPITAL DISCHARGE SUMMARY"])]
    L.append("{h:Service} " + pick(C, ["{dx_dept}", "<<DEPT|Hospital Medicine>>", "<<DEPT|Internal Medicine>>", "{dx_dept}"]))
    L.append("{h:Principal diagnosis} {dx_full}")
    if chance(C, 0.7):
        L.append("{h:Secondary diagnoses} {icd_item}; {icd_item}")
    if chance(C, 0.85):
        L.append("{h:Procedures} {pcs_item}" + pick(C, ["", "; {pcs_item}"]))
    L.append("{h:Hospital course} {A_age_sex} admitted via the {ed} with " + pick(C, ["{sym}", "{dx_feat}", "{dx_feat}"])
             + " and found to have {dx}. " + " ".join(some(C, COURSE, 2, 3)))
    L.append("{h:Discharge medications}")
    b = bullet_char(C)
    if C.dx["drugs"]:
        L.append(b + pick(C, ["NEW: ", "", "CONTINUE: "]) + "{dx_drug}")
    for i in range(C.rng.randint(1, 3)):
        L.append(b + pick(C, ["", "", "CHANGED: ", "CONTINUE: "]) + "{chronic_med}")
    if chance(C, 0.5):
        L.append(b + "STOP {chronic_med_name}" + pick(C, ["", " ({hold_reason})"]))
    if chance(C, 0.35):
        L.append(pick(C, ["DME: walker (<<HCPCS|E0143>>).", "DME: home oxygen concentrator (<<HCPCS|E1390>>) at <<UNIT|2 L/min>>.",
                          "DME: semi-electric hospital bed (<<HCPCS|E0260>>) and standard wheelchair (<<HCPCS|K0001>>).",
                          "DME: shower chair and front-wheeled walker (<<HCPCS|E0143>>)."]))
    L.append("{h:Follow-up} " + pick(C, ["<<ROLE|PCP>> in 1 week; {dx_dept} in 2-4 weeks.",
                                           "{Dx_dept} clinic in {n:1-3} weeks; repeat {dx_lab_name} before the visit.",
                                           "{the_role} within 7 days. Pending at discharge: {dx_lab_name}."]))
    if chance(C, 0.3):
        L.append("Discharge day management: {cpt:hosp}.")
    return "\n".join(L)


BILL_COMMENTS = [
    "Modifier 25 appended to the E/M; separately identifiable service documented.",
    "MDM moderate: 2 stable chronic illnesses with prescription drug management.",
    "Time-based billing: {n:31-59} minutes total on the day of the encounter.",
    "Screening colonoscopy converted to diagnostic; bill <<CPT|45380>> with modifier PT.",
    "Flu vaccine billed as <<CPT|90686>> with admin <<HCPCS|G0008>> for Medicare.",
    "Drug waste documented with JW modifier for {hcpcs:J}.",
    "Add-on <<HCPCS|G2211>> applies for longitudinal care of {dx}.",
    "Payer requires NDC {ndc} on the claim line for {hcpcs:J}.",
    "Inpatient claim: principal Dx {dx_icd}, principal procedure ICD-10-PCS {pcs}.",
    "Query sent to {the_role} re: specificity of {dx}.",
    "ABN signed for {lab_name}.",
    "Venipuncture <<CPT|36415>> bundled with the lab panel per payer.",
    "Do not bill <<CPT|93010>> with <<CPT|93000>> on the same claim.",
    "AWV ({hcpcs:G04}) and problem-oriented visit {cpt:em}-25 on the same day.",
    "Supplies: <<HCPCS|A4253>> x 2 boxes and <<HCPCS|A4259>> for {dx}.",
]


BILL_BUNDLES = [
    ("office visit, established patient (diabetes)", "99214", ["E11.65", "Z79.4", "E78.5"],
     [("CPT", "83036", 1), ("CPT", "82043", 1), ("CPT", "80061", 1), ("CPT", "36415", 1), ("HCPCS", "G2211", 1), ("HCPCS", "A4253", 2), ("HCPCS", "A4259", 1)]),
    ("annual wellness visit", "99213", ["Z00.00", "Z23", "I10"],
     [("HCPCS", "G0439", 1), ("HCPCS", "G0444", 1), ("HCPCS", "G0442", 1), ("CPT", "90686", 1), ("HCPCS", "G0008", 1)]),
    ("nurse visit, injection", None, ["D51.0"],
     [("CPT", "96372", 1), ("HCPCS", "J3420", 1)]),
    ("office visit with joint injection", "99213", ["M17.11"],
     [("CPT", "20610", 1), ("HCPCS", "J3301", 4), ("HCPCS", "L1830", 1)]),
    ("office visit, pneumonia", "99214", ["J18.9", "J44.1"],
     [("CPT", "96372", 1), ("HCPCS", "J0696", 4), ("CPT", "71046", 1), ("CPT", "94060", 1)]),
    ("ED visit", "99284", ["R07.9", "I10"],
     [("CPT", "93010", 1), ("CPT", "71045", 1), ("CPT", "84484", 2), ("CPT", "80048", 1), ("CPT", "85025", 1), ("CPT", "96365", 1), ("HCPCS", "J7030", 1), ("HCPCS", "J2405", 4)]),
    ("ED visit, back pain", "99283", ["M54.50"],
     [("CPT", "96372", 1), ("HCPCS", "J1885", 2)]),
    ("sleep medicine, new CPAP", "99204", ["G47.33", "E66.9", "Z68.41"],
     [("CPT", "95810", 1), ("HCPCS", "E0601", 1), ("HCPCS", "A7030", 1), ("HCPCS", "A7037", 1)]),
    ("orthopedic visit, foot fracture", "99203", ["S92.351A"],
     [("CPT", "73610", 1), ("HCPCS", "L4361", 1), ("HCPCS", "E0114", 1)]),
    ("inpatient surgery", "99223", ["K80.20", "E11.9"],
     [("CPT", "47562", 1), ("ICD10PCS", "0FT44ZZ", 1), ("CPT", "88305", 1), ("CPT", "99238", 1)]),
    ("screening colonoscopy, polyps removed", None, ["Z12.11", "K63.5"],
     [("CPT", "45385", 1), ("CPT", "88305", 2), ("HCPCS", "G0121", 0)]),
    ("PT evaluation and treatment", None, ["M54.50"],
     [("CPT", "97162", 1), ("CPT", "97110", 2), ("CPT", "97140", 1), ("HCPCS", "G0283", 1)]),
    ("immunization visit", None, ["Z23"],
     [("CPT", "90715", 1), ("CPT", "90471", 1), ("HCPCS", "Q2035", 1), ("HCPCS", "G0008", 1)]),
    ("cardiology new patient", "99204", ["I45.6", "I48.91", "Z79.01"],
     [("CPT", "93000", 1), ("CPT", "93306", 1), ("CPT", "93224", 1)]),
    ("behavioral health visit", "99214", ["F33.1", "F41.1"],
     [("CPT", "90837", 1), ("CPT", "96127", 2), ("HCPCS", "G0444", 1)]),
    ("critical care", "99291", ["A41.9", "N17.9", "J18.9"],
     [("CPT", "99292", 1), ("CPT", "31500", 1), ("CPT", "36556", 1), ("ICD10PCS", "0BH17EZ", 1), ("ICD10PCS", "5A1945Z", 1), ("ICD10PCS", "02HV33Z", 1)]),
    ("obstetric delivery", None, ["O24.410"],
     [("CPT", "59510", 1), ("ICD10PCS", "10D00Z1", 1), ("CPT", "76805", 1)]),
    ("dermatologic surgery", "99213", ["D04.9"],
     [("CPT", "17311", 1), ("CPT", "12002", 1)]),
    ("hand surgery", None, ["M72.0", "G56.01"],
     [("CPT", "26123", 1), ("CPT", "64721", 1)]),
    ("gynecology procedure", "99213", ["N75.1"],
     [("CPT", "56420", 1), ("CPT", "87205", 1)]),
    ("infusion center", None, ["K50.90"],
     [("CPT", "96365", 1), ("HCPCS", "J1745", 50)]),
    ("infusion center (IVIG)", None, ["G61.0"],
     [("CPT", "96365", 1), ("HCPCS", "J1569", 20)]),
    ("fracture care", "99283", ["S52.531A"],
     [("CPT", "73110", 1), ("HCPCS", "L3908", 1)]),
]


def _code_desc(typ, code):
    return {"CPT": CPT_DICT, "HCPCS": HCPCS_DICT, "ICD10PCS": PCS_DICT}[typ].get(code, "")


def b_billing(C):
    choose_dx(C, coded=True)
    enc, em, dxs, items = pick(C, BILL_BUNDLES)
    items = [it for it in items if it[2] > 0 or chance(C, 0.5)]
    if len(items) > 2:
        items = items[:1] + some(C, items[1:], max(1, len(items) - 3), len(items) - 1)
    L = [pick(C, ["BILLING SUMMARY", "Charge Capture", "Coding summary", "Professional billing note",
                  "Encounter billing", "CHARGE REVIEW", "Claim lines"])]
    L.append("{h:Encounter} " + enc + ".")
    dxcodes = list(dxs)
    if chance(C, 0.35) and C.dx["icd"][0] not in dxcodes:
        dxcodes.append(C.dx["icd"][0])
    dxm = lambda cs: ", ".join("<<ICD10CM|%s>>" % c for c in cs)
    form = C.rng.randint(0, 2)
    if em:
        mod = "-25" if items and chance(C, 0.5) else ""
        L.append(pick(C, ["E/M: <<CPT|%s>>%s" % (em, mod), "E/M code <<CPT|%s>>%s" % (em, mod), "Level of service <<CPT|%s>>%s" % (em, mod)])
                 + " | Dx " + dxm(dxcodes[:2]))
        if mod:
            L.append("Modifier 25 appended; separately identifiable E/M documented.")
    if form == 0:
        for i, (typ, code, units) in enumerate(items):
            lab = {"CPT": "CPT", "HCPCS": "HCPCS", "ICD10PCS": "ICD-10-PCS"}[typ]
            line = "Line %d: %s <<%s|%s>>" % (i + 1, lab, typ, code)
            if units > 1:
                line += " x %d units" % units
            if typ == "HCPCS" and code.startswith("J"):
                line += " | NDC {ndc}"
            if typ != "ICD10PCS":
                line += " | Dx " + dxm(dxcodes[: C.rng.randint(1, 2)])
            L.append(line)
    elif form == 1:
        bc = bullet_char(C)
        for typ, code, units in items:
            d = _code_desc(typ, code)
            line = "<<%s|%s>> - %s" % (typ, code, d) if d else "<<%s|%s>>" % (typ, code)
            if units > 1:
                line += " (%d units)" % units
            if typ == "HCPCS" and code.startswith("J"):
                line += ", NDC {ndc}"
            L.append(bc + line)
    else:
        cp = [c for t, c, u in items if t == "CPT"]
        hc = [c for t, c, u in items if t == "HCPCS"]
        pc = [c for t, c, u in items if t == "ICD10PCS"]
        if cp:
            L.append("CPT: " + ", ".join("<<CPT|%s>>" % c for c in cp))
        if hc:
            L.append("HCPCS: " + ", ".join("<<HCPCS|%s>>" % c for c in hc))
        if pc:
            L.append("ICD-10-PCS: " + ", ".join("<<ICD10PCS|%s>>" % c for c in pc))
    L.append(pick(C, ["ICD-10-CM: ", "Diagnoses: ", "Dx pointers: "]) + "; ".join(
        "<<ICD10CM|%s>> %s" % (c, ICD_DICT.get(c, "")) if chance(C, 0.6) else "<<ICD10CM|%s>>" % c for c in dxcodes))
    L.extend(some(C, BILL_COMMENTS_GENERIC, 1, 2))
    return "\n".join(L)


BILL_COMMENTS_GENERIC = [
    "MDM moderate: 2 stable chronic illnesses with prescription drug management.",
    "Time-based billing: {n:31-59} minutes total on the day of the encounter.",
    "Query sent to {the_role} re: diagnosis specificity.",
    "Venipuncture <<CPT|36415>> not separately payable under this contract.",
    "Do not bill <<CPT|93010>> with <<CPT|93000>> on the same claim.",
    "ABN on file for frequency-limited services.",
    "Documentation reviewed by coding; no changes.",
    "Drug waste documented with JW modifier where applicable.",
    "Payer requires the 11-digit NDC in 5-4-2 format on drug lines.",
    "Secondary payer: Medicaid (out of state, {state}).",
    "Place of service 11; rendering {role} credentialed with payer.",
    "Patient travels from {state} for care; no change to place of service.",
]


CHAT_QA = [
    ("what's the ICD-10 code for {dx}?", "{dx_icd} ({dx_icd_desc}). Code any manifestations separately, and add <<ICD10CM|Z79.899>> for long-term drug therapy if applicable."),
    ("icd 10 for {dx}?", "{dx_icd}. For billing pair it with the E/M ({cpt:em}) and list it first if it drove the visit."),
    ("{cpt_set}which CPT code covers {cpt_desc}?", "CPT {cpt_last}. Check payer bundling edits before adding <<CPT|36415>> or a separate E/M with modifier 25."),
    ("{cpt_set:9}what's the code for {cpt_desc}?", "That's {cpt_last}. Document the indication, e.g. {icd_item}."),
    ("{hcpcs_set:J}HCPCS for {hcpcs_desc}?", "{hcpcs_last}. Bill units per the descriptor and put the NDC on the line, e.g. {ndc} (11-digit {ndc11})."),
    ("{hcpcs_set:G}is there a G code for {hcpcs_desc}?", "Yes, {hcpcs_last}. Medicare only; commercial payers usually want the CPT equivalent."),
    ("what does a positive {signq} mean?", "It's {signdef}."),
    ("can you explain {signq}?", "Sure: {signdef}. Document it as positive or negative and on which side."),
    ("{pcs_set}PCS code for {pcs_desc}?", "ICD-10-PCS {pcs_last}. PCS is inpatient only; the surgeon's professional claim still uses CPT."),
    ("LOINC for {lab_loinc_q}?", "{lab_loinc_a}. Use the panel code only if the whole panel was resulted."),
    ("is {bgen_set}{bgen_brand} the same as {bgen_generic}?", "Yes, {bgen_brand} is brand {bgen_generic}; same active ingredient and dose ({bgen_dose}). Substitution is fine unless the prescriber wrote DAW."),
    ("safe to combine {inter_q}?", "Caution: {inter_a}. If both are needed, monitor closely and document the counseling."),
    ("patient is moving to {state}. can we keep prescribing {chronic_med_name}?", "For non-controlled drugs, usually yes via mail order, but telehealth visits require a license in the state where the patient is located. A prescriber licensed only in {state_abbr} should hand off to a local <<ROLE|PCP>>."),
    ("can pharmacists in {state} give naloxone without a prescription?", "Yes. {otc_narcan} is OTC nationwide, and {state} also has a standing order for generic <<DRUG|naloxone>> <<UNIT|4 mg>> nasal spray."),
    ("{age_q} with {dx_lab_val} and {dx_lab_val}: next step?", "Confirm with a repeat draw, review meds, and consider whether {dx} explains it. Check {dx_lab_name} and {common_lab}; involve {dx_dept} if it persists."),
    ("what is <<EPONYM|St. Vitus dance>>?", "An old name for <<EPONYM|Sydenham chorea>>, the chorea after group A strep infection ({icd_sc}). Check an <<LAB|ASO titer>> and <<LAB|ESR>>, treat with <<DRUG|penicillin>> prophylaxis, and get an echo."),
    ("how do i do the <<EPONYM|Epley>>?", "Confirm posterior canal BPPV with a positive <<EPONYM|Dix-Hallpike>> first. Then the <<EPONYM|Epley maneuver>>: head turned 45 degrees to the affected side, lie back with the neck extended, turn 90 degrees to the other side, roll onto the shoulder, sit up. Bill <<CPT|95992>>. <<DRUG|Meclizine>> <<UNIT|25 mg>> only for short-term symptom relief."),
    ("difference between {ep_pair_q}?", "{ep_pair_a}"),
    ("colonoscopy interval for a {age_q} with 1-2 small tubular adenomas found in {year:recent}?", "7-10 years. Bill a surveillance exam as <<HCPCS|G0105>> for Medicare or <<CPT|45378>> otherwise, with {icd_z86}."),
    ("does a {age_q} still need a pap?", "Screening generally stops after age <<AGE|65>> with adequate negative prior screening; before that, a <<EPONYM|Pap smear>> every 3 years or co-testing every 5 years from age <<AGE|30>>. Bill <<CPT|88142>> for the thin-layer prep."),
    ("what dose of {renal_drug} for someone with eGFR {egfr_val}?", "Check renal dosing: at that <<LAB|eGFR>> many renally cleared drugs need a lower dose or longer interval. Recheck <<LAB|creatinine>> and <<LAB|potassium>> in 1-2 weeks."),
]
EP_PAIRS = [
    ("<<EPONYM|Cushing syndrome>> and <<EPONYM|Cushing disease>>", "<<EPONYM|Cushing disease>> is the pituitary ACTH-secreting adenoma; <<EPONYM|Cushing syndrome>> is hypercortisolism from any cause (<<ICD10CM|E24.9>> unspecified, <<ICD10CM|E24.0>> for the pituitary form). Screen with <<LAB|late-night salivary cortisol>> or a 1 mg dexamethasone suppression test."),
    ("<<EPONYM|Mobitz I>> and <<EPONYM|Mobitz II>>", "<<EPONYM|Mobitz I>> (<<EPONYM|Wenckebach>>) shows progressive PR prolongation before a dropped beat and is usually AV nodal; <<EPONYM|Mobitz II>> drops beats without PR change, is infranodal and usually needs a pacemaker. Both code to <<ICD10CM|I44.1>>."),
    ("a <<EPONYM|Colles fracture>> and a <<EPONYM|Smith fracture>>", "<<EPONYM|Colles>> is dorsally angulated (dinner-fork), <<EPONYM|Smith>> is volarly angulated (reverse <<EPONYM|Colles>>). Right-sided closed <<EPONYM|Colles>>, initial encounter: <<ICD10CM|S52.531A>>."),
    ("<<EPONYM|Wernicke encephalopathy>> and <<EPONYM|Korsakoff syndrome>>", "<<EPONYM|Wernicke>> is the acute triad (confusion, ophthalmoplegia, ataxia) and is reversible with IV <<DRUG|thiamine>> <<UNIT|500 mg>> TID; <<EPONYM|Korsakoff>> is the chronic amnestic state. <<EPONYM|Wernicke>> codes to <<ICD10CM|E51.2>>."),
    ("<<EPONYM|Hashimoto's>> and <<EPONYM|Graves'>>", "Both autoimmune: <<EPONYM|Hashimoto's>> (<<ICD10CM|E06.3>>) usually causes hypothyroidism with positive <<LAB|TPO antibodies>>; <<EPONYM|Graves'>> (<<ICD10CM|E05.00>>) causes hyperthyroidism with positive <<LAB|TSI>>. Check <<LAB|TSH>> and <<LAB|free T4>> first."),
    ("<<EPONYM|Osgood-Schlatter>> and <<EPONYM|Sinding-Larsen-Johansson>>", "Same traction apophysitis idea: <<EPONYM|Osgood-Schlatter>> at the tibial tubercle, <<EPONYM|Sinding-Larsen-Johansson>> at the inferior pole of the patella. Both respond to activity modification and <<DRUG|ibuprofen>>."),
    ("<<EPONYM|Crohn's>> and UC", "<<EPONYM|Crohn's>> is transmural and can skip (<<ICD10CM|K50.90>>); UC is continuous mucosal disease from the rectum (<<ICD10CM|K51.90>>). <<LAB|Fecal calprotectin>> is elevated in both."),
    ("<<EPONYM|Guillain-Barré>> and CIDP", "Time course: <<EPONYM|GBS>> nadirs within 4 weeks, CIDP progresses beyond 8 weeks. Both show high <<LAB|CSF protein>>; treat <<EPONYM|GBS>> with <<DRUG|IVIG>> <<UNIT|0.4 g/kg>>/day x 5 days or plasma exchange."),
    ("<<EPONYM|Kussmaul breathing>> and <<EPONYM|Cheyne-Stokes respiration>>", "<<EPONYM|Kussmaul>> is deep regular breathing from metabolic acidosis (check <<LAB|VBG>>, <<LAB|beta-hydroxybutyrate>>); <<EPONYM|Cheyne-Stokes>> is cyclic waxing-waning with apneas, seen in heart failure."),
    ("<<EPONYM|Osler nodes>> and <<EPONYM|Janeway lesions>>", "<<EPONYM|Osler nodes>> are painful (immunologic), <<EPONYM|Janeway lesions>> are painless (embolic). Get <<LAB|blood cultures>> x3 and apply the modified <<EPONYM|Duke criteria>>."),
]


@slot("ep_pair_q")
def s_ep_pair_q(C, arg):
    p = pick(C, EP_PAIRS)
    C.vars["pair"] = p
    return p[0]


@slot("ep_pair_a")
def s_ep_pair_a(C, arg):
    return C.vars["pair"][1]


@slot("lab_loinc_q")
def s_lab_loinc_q(C, arg):
    key = pick(C, [k for k in LAB_KEYS if LABS[k][5]])
    C.vars["lk"] = key
    return [K(pick(C, LABS[key][0]), "LAB")]


@slot("lab_loinc_a")
def s_lab_loinc_a(C, arg):
    key = C.vars["lk"]
    return [K(LABS[key][5], "LOINC"), T(" for serum/plasma; units usually "), K(pick(C, [u for u in LABS[key][1] if u] or ["%"]), "UNIT")]


@slot("insulin_dose")
def s_insulin_dose(C, arg):
    return [K(pick(C, ["insulin lispro", "Humalog KwikPen", "Novolog FlexPen", "insulin aspart", "regular insulin"]), "DRUG"),
            T(" "), K("%d units" % C.rng.randint(2, 10), "UNIT")]


@slot("screen_test")
def s_screen_test(C, arg):
    return [K(pick(C, ["Pap smear", "Pap test", "Holter monitor", "Doppler ultrasound", "Mantoux test", "Snellen vision screen",
                       "Ishihara color screen"]), "EPONYM")]


@slot("ed_drug")
def s_ed_drug(C, arg):
    return pick(C, ["<<DRUG|ketorolac>> <<UNIT|15 mg>> IV", "<<DRUG|ondansetron>> <<UNIT|4 mg>> IV", "<<DRUG|ceftriaxone>> <<UNIT|1 g>> IV",
                    "<<DRUG|normal saline>> <<UNIT|1 L>> bolus", "<<DRUG|Toradol>> <<UNIT|30 mg>> IM", "<<DRUG|Zofran>> <<UNIT|4 mg>> ODT",
                    "<<DRUG|morphine>> <<UNIT|4 mg>> IV", "<<DRUG|Decadron>> <<UNIT|10 mg>> IV", "<<DRUG|aspirin>> <<UNIT|324 mg>> PO",
                    "<<DRUG|lorazepam>> <<UNIT|1 mg>> IV", "<<DRUG|Lasix>> <<UNIT|40 mg>> IV", "<<DRUG|vancomycin>> <<UNIT|1.5 g>> IV"])


@slot("renal_drug")
def s_renal_drug(C, arg):
    return [K(pick(C, ["metformin", "gabapentin", "enoxaparin", "apixaban", "nitrofurantoin", "levetiracetam", "sitagliptin",
                       "allopurinol", "famotidine", "valacyclovir", "Eliquis", "Januvia", "Keppra", "Neurontin"]), "DRUG")]


@slot("age_q")
def s_age_q(C, arg):
    return _age_sex(C, article=False)


@slot("otc_narcan")
def s_otc_narcan(C, arg):
    return [K(pick(C, ["Narcan", "Narcan nasal spray", "RiVive"]), "DRUG")]


@slot("icd_sc")
def s_icd_sc(C, arg):
    return [K("I02.9", "ICD10CM")]


@slot("icd_z86")
def s_icd_z86(C, arg):
    return [K("Z86.010", "ICD10CM")]


def _chat_calc(C):
    """Score calculations and unit conversions with correct arithmetic."""
    f = C.rng.randint(0, 5)
    if f == 0:
        age = C.rng.randint(45, 89)
        fem = chance(C, 0.5)
        htn, dm, chf, stroke, vasc = (chance(C, 0.6), chance(C, 0.4), chance(C, 0.3), chance(C, 0.2), chance(C, 0.3))
        pts, items = 0, []
        if age >= 75:
            pts += 2; items.append("age >=75 (2)")
        elif age >= 65:
            pts += 1; items.append("age 65-74 (1)")
        if fem:
            pts += 1; items.append("female (1)")
        for flag, lab, p in ((htn, "HTN", 1), (dm, "DM", 1), (chf, "CHF", 1), (stroke, "prior stroke/TIA", 2), (vasc, "vascular disease", 1)):
            if flag:
                pts += p; items.append("%s (%d)" % (lab, p))
        hx = [n for flag, n in ((htn, "HTN"), (dm, "DM"), (chf, "HFrEF"), (stroke, "prior TIA"), (vasc, "PAD")) if flag] or ["no other history"]
        sw = "woman" if fem else "man"
        q = "<<EPONYM|CHA2DS2-VASc>> for a <<AGE|%d-year-old>> %s with AF and %s?" % (age, sw, ", ".join(hx))
        a = "%s = %d. " % (" + ".join(items) if items else "0 points", pts)
        if pts >= 2 or (pts == 1 and not fem):
            a += "Anticoagulation is recommended; <<DRUG|apixaban>> <<UNIT|5 mg>> BID unless 2 of age >=80, weight <=60 kg, <<LAB|creatinine>> >=1.5 mg/dL. Code <<ICD10CM|I48.91>> and <<ICD10CM|Z79.01>>."
        else:
            a += "Low risk; anticoagulation generally not needed. Reassess yearly."
        return q, a
    if f == 1:
        g = C.rng.randint(70, 450)
        q = "convert <<LAB|glucose>> <<UNIT|%d mg/dL>> to mmol/L" % g
        a = "Divide by 18: <<UNIT|%d mg/dL>> is about <<UNIT|%.1f mmol/L>>." % (g, g / 18.0)
        return q, a
    if f == 2:
        cr = round(C.rng.uniform(0.6, 4.0), 1)
        q = "<<LAB|creatinine>> <<UNIT|%.1f mg/dL>> in umol/L?" % cr
        a = "Multiply by 88.4: about <<UNIT|%d umol/L>>. Use the 2021 CKD-EPI equation for <<LAB|eGFR>>, or <<EPONYM|Cockcroft-Gault>> for drug dosing." % round(cr * 88.4)
        return q, a
    if f == 3:
        t = round(C.rng.uniform(99.0, 104.5), 1)
        q = "temp <<UNIT|%.1f F>> in celsius?" % t
        a = "<<UNIT|%.1f \u00b0C>>. Anything at or above <<UNIT|100.4 \u00b0F>> (<<UNIT|38.0 \u00b0C>>) counts as fever." % ((t - 32) * 5 / 9)
        return q, a
    if f == 4:
        e, v, m = C.rng.randint(1, 4), C.rng.randint(1, 5), C.rng.randint(1, 6)
        q = "how do I write out a <<EPONYM|GCS>> of E%dV%dM%d?" % (e, v, m)
        a = "Total <<EPONYM|GCS>> %d (eye %d, verbal %d, motor %d). Always document the components; a <<EPONYM|Glasgow Coma Scale>> of 8 or less usually means airway protection." % (e + v + m, e, v, m)
        return q, a
    a1c = round(C.rng.uniform(5.5, 12.0), 1)
    q = "what's the estimated average glucose for an <<LAB|A1c>> of <<UNIT|%.1f%%>>?" % a1c
    a = "eAG = 28.7 x A1c - 46.7, so about <<UNIT|%d mg/dL>> (<<UNIT|%.1f mmol/L>>). LOINC for <<LAB|HbA1c>> is <<LOINC|4548-4>>." % (round(28.7 * a1c - 46.7), (28.7 * a1c - 46.7) / 18.0)
    return q, a


def b_chat(C):
    choose_dx(C, coded=True)
    if chance(C, 0.25):
        q, a = _chat_calc(C)
    else:
        q, a = pick(C, CHAT_QA)
        if "pap" in q:
            C.sex = "F"
            C.age = C.rng.randint(21, 80)
    fmt = C.rng.randint(0, 4)
    if fmt == 3 and re.search(r"\{(signq|inter_q|ep_pair_q|lab_loinc_q|bgen_set|\w+_set)", q):
        fmt = 0
    if fmt == 0:
        s = "Q: " + q + "\nA: " + a
    elif fmt == 1:
        s = "**Question:** " + q + "\n\n**Answer:** " + a
    elif fmt == 2:
        s = "user: " + q + "\nassistant: " + a
    elif fmt == 3:
        s = a
    else:
        s = "> " + q + "\n\n" + a
    if chance(C, 0.5):
        extra = pick(C, [
            " Also worth checking {lab_name} if not done recently.",
            " If {pr} is on {brand_name}, watch for interactions.",
            " Related codes: {icd_item}.",
            " Typical starting dose is {drug_dose} {n:1-2} times daily, but check the label.",
            " {The_role} can co-sign.",
        ])
        s += extra
    return s


LAB_COMMENTS = [
    "Comment: specimen mildly hemolyzed; <<LAB|potassium>> may be falsely elevated.",
    "Critical value {lab_val} called to {the_role} and read back.",
    "<<LAB|eGFR>> calculated with the CKD-EPI 2021 equation (race-free).",
    "Estimated CrCl (<<EPONYM|Cockcroft-Gault>>) {n:25-95} mL/min.",
    "<<LAB|LDL-C>> calculated by the <<EPONYM|Friedewald>> equation; direct LDL if TG > 400 mg/dL.",
    "<<EPONYM|Gram stain>>: <<EPONYM|gram-positive>> cocci in clusters; culture pending.",
    "<<EPONYM|Gram stain>>: <<EPONYM|gram-negative>> rods; no PMNs seen.",
    "AFB smear (<<EPONYM|Ziehl-Neelsen>>): negative x3.",
    "Direct <<EPONYM|Coombs test>> (DAT): negative.",
    "<<EPONYM|Kleihauer-Betke test>>: fetal cells < 0.1%.",
    "<<EPONYM|Wright-Giemsa stain>> smear: schistocytes 1-2/hpf, no blasts.",
    "Smear: <<EPONYM|Howell-Jolly bodies>> present, consistent with asplenia.",
    "Smear: <<EPONYM|Auer rods>> identified; hematopathology notified.",
    "ESR by <<EPONYM|Westergren>> method.",
    "Previous result {lab_val} ({year:recent}).",
    "Reference ranges are adult values.",
    "<<EPONYM|Pap smear>>: NILM; HPV co-test negative.",
    "Urine: <<EPONYM|Tamm-Horsfall>> protein casts (hyaline) only.",
    "Synovial fluid: negatively birefringent needle-shaped crystals; <<EPONYM|Gram stain>> negative.",
    "Sputum: <<EPONYM|Charcot-Leyden crystals>> and <<EPONYM|Curschmann spirals>> seen.",
]


def _lab_row(C, key, fmt):
    names, units, lo, hi, d, lc, ref = LABS[key]
    name = pick(C, names)
    unit = pick(C, units)
    v = num(C, lo, hi, d)
    flag = ""
    try:
        fv = float(v)
        m = re.match(r"^([\d.]+)-([\d.]+)$", ref)
        if m:
            if fv < float(m.group(1)):
                flag = "L"
            elif fv > float(m.group(2)):
                flag = "H"
    except ValueError:
        pass
    if fmt == 0:
        parts = [K(name, "LAB"), T(" " * max(1, 22 - len(name)))]
        if unit:
            parts += [K(v + " " + unit, "UNIT")]
            pad = 20 - len(v + " " + unit)
        else:
            parts += [T(v)]
            pad = 20 - len(v)
        parts += [T(" " * max(1, pad) + "(" + ref + ")" + ("  " + flag if flag else ""))]
        if lc and C.vars.get("row_loinc"):
            parts += [T("  LOINC "), K(lc, "LOINC")]
        return parts
    if fmt == 1:
        parts = [K(name, "LAB"), T(": ")]
        parts += [K(v + " " + unit, "UNIT")] if unit else [T(v)]
        parts += [T(" [ref " + ref + "]" + (" " + flag if flag else ""))]
        if lc and C.vars.get("row_loinc"):
            parts += [T(" (LOINC "), K(lc, "LOINC"), T(")")]
        return parts
    parts = [K(name, "LAB"), T(" | " + v + (" " + flag if flag else "") + " | ")]
    parts += [K(unit, "UNIT")] if unit else [T("-")]
    parts += [T(" | " + ref)]
    if lc:
        parts += [T(" | "), K(lc, "LOINC")]
    return parts


def b_lab(C):
    choose_dx(C)
    panel = pick(C, list(PANEL_ROWS))
    rows = PANEL_ROWS[panel][:]
    if C.dx["labs"] and chance(C, 0.6):
        for k in C.dx["labs"]:
            if k not in rows:
                rows.append(k)
    rows = rows[:7]
    fmt = C.rng.randint(0, 2)
    head = pick(C, ["LABORATORY RESULTS", "Lab Report", "CHEMISTRY", "Results - " + panel.upper(),
                    "Laboratory report (" + panel + ")", "FINAL REPORT"])
    L = [head]
    L.append(pick(C, ["Specimen: serum. Collected this morning; received in lab within 1 hour.",
                      "Specimen: whole blood (EDTA) and serum.", "Source: venous blood. Ordered by {order_dept}.",
                      "Ordering department: {order_dept}. Priority: STAT.", "Specimen: plasma, lithium heparin."]))
    if fmt == 2:
        L.append("Test | Result | Units | Ref | LOINC")
    elif fmt == 0:
        L.append("Test                  Result              (Ref)")
    C.vars["rows"] = [(k, fmt) for k in rows]
    C.vars["row_loinc"] = chance(C, 0.45)
    for i in range(len(rows)):
        L.append("{labrow:%d}" % i)
    if chance(C, 0.35) and panel in ("BMP", "CMP", "CBC", "lipid panel"):
        L.append("Panel LOINC: <<LOINC|%s>>" % PANEL_LOINC[panel])
    L.extend(some(C, LAB_COMMENTS, 1, 2))
    if chance(C, 0.3):
        L.append(pick(C, ["Billed: {cpt:8}, <<CPT|36415>>.", "CPT {cpt:8} x1."]))
    return "\n".join(L)


@slot("labrow")
def s_labrow(C, arg):
    k, fmt = C.vars["rows"][int(arg)]
    return _lab_row(C, k, fmt)


def b_referral(C):
    choose_dx(C)
    L = [pick(C, ["REFERRAL REQUEST", "Referral", "Outpatient referral", "Consult request"])]
    L.append("{h:To} {dx_dept}" + pick(C, [" (routine)", " - urgent", "", " (within 2 weeks)"]))
    L.append("{h:From} " + pick(C, ["Primary care (<<ROLE|PCP>>)", "<<DEPT|Family Medicine>>", "<<DEPT|Internal Medicine>> clinic", "the <<ROLE|primary care provider>>", "{dept}"]))
    L.append("{h:Reason} {A_age_sex} with {dx_full} " + pick(C, [
        "for evaluation and management recommendations.", "with worsening {sym} despite {dx_drug}.",
        "for second opinion regarding therapy.", "newly diagnosed; please establish care.",
        "- please evaluate for {ep_proc}.", "with {dx_feat}."]))
    L.append("{h:Pertinent history} " + " ".join(some(C, [
        "PMH {pmh}.", "Moved from {state} in {year}; previously followed by {dx_dept} there.",
        "Diagnosed in {year} while living in {state}.", "{Sign}.", "Exam: {dx_feat}.",
        "Records from {state_abbr} attached.", "Family hx of {fam_ep}."], 1, 3)))
    L.append("{h:Meds} {med_line}; {med_line}" + pick(C, ["", "; {otc}"]))
    L.append("{h:Labs} {lab_list}")
    if chance(C, 0.4):
        L.append("Dx for authorization: {dx_icd}" + pick(C, ["", ", {icd}"]) + ".")
    return "\n".join(L)


TRIAGE_SCEN = [
    ["CC: chest pain x {n:1-6} hours.", "{A_age_sex} with {pmh}; substernal pressure radiating to the left arm, {sign:cv}.",
     "Took <<DRUG|aspirin>> <<UNIT|324 mg>> chewed PTA.", "ECG within 10 minutes; <<LAB|troponin I>> and <<LAB|BMP>> drawn.",
     "<<SCORE|HEART score>> to be calculated by {the_role}."],
    ["CC: RUQ pain after fatty meal.", "{A_age_sex} with nausea, {sign:abd}.", "Took {otc_dose} at home without relief.",
     "<<LAB|lipase>> and <<LAB|hepatic function panel>> ordered; RUQ US pending."],
    ["CC: RLQ pain, anorexia.", "{A_age_sex}; periumbilical pain migrating to the RLQ, point tenderness at <<EPONYM|McBurney's point>>, {sign:abd}.",
     "<<EPONYM|Alvarado score>> {n:5-9}.", "<<LAB|CBC>>, <<LAB|urine hCG>> sent."],
    ["CC: worst headache of life.", "{A_age_sex}, sudden onset {n:1-5} hours ago; {sign:neuro}, {sign:neuro}.",
     "<<EPONYM|GCS>> {n:13-15}.", "CT head without contrast (<<CPT|70450>>) ordered stat."],
    ["CC: vertigo.", "{A_age_sex}; room spinning with head turns; <<EPONYM|Dix-Hallpike>> positive on the right.",
     "Took <<DRUG|Dramamine>> <<UNIT|50 mg>> at home.", "Consider <<EPONYM|Epley maneuver>> in the {ed}."],
    ["CC: hyperglycemia, vomiting.", "{A_age_sex} with T1DM, ran out of <<DRUG|Lantus SoloStar>>; <<EPONYM|Kussmaul respirations>> noted.",
     "Fingerstick meter reads HI; {lab_val:glu} on the BMP.", "<<LAB|VBG>>, <<LAB|beta-hydroxybutyrate>>, <<LAB|BMP>> sent; DKA protocol."],
    ["CC: leg swelling.", "{A_age_sex}; right calf swelling {n:2-6} days after a long drive from {state}; {ptsign:Homans' sign}.",
     "<<EPONYM|Wells score>> {n:1-4}; <<LAB|D-dimer>> sent.", "Venous <<EPONYM|Doppler>> requested."],
    ["CC: allergic reaction.", "{A_age_sex}; hives and lip swelling after peanuts; used <<DRUG|EpiPen>> <<UNIT|0.3 mg>> IM at home.",
     "Also took <<DRUG|Benadryl Allergy>> <<UNIT|50 mg>>.", "Observe 4-6 hours."],
    ["CC: fall.", "{A_age_sex}; FOOSH injury, dinner-fork deformity of the right wrist, suspect <<EPONYM|Colles fracture>>.",
     "<<EPONYM|GCS>> 15, no LOC; on {brand_ac}.", "Wrist X-ray ordered; ice and splint."],
    ["CC: unresponsive, suspected opioid overdose.", "{A_age_sex}; bystander gave <<DRUG|Narcan>> <<UNIT|4 mg>> intranasal x2 with response.",
     "RR 8 on arrival; <<UNIT|0.4 mg>> <<DRUG|naloxone>> IV given.", "<<LAB|urine drug screen>>, <<LAB|acetaminophen level>> sent."],
    ["CC: dysuria, fever.", "{A_age_sex}; flank pain, CVA tenderness; took <<DRUG|Tylenol Extra Strength>> <<UNIT|1000 mg>> {n:2-5} hours ago.",
     "<<LAB|UA with reflex culture>>, <<LAB|blood cultures x2>>, <<LAB|lactate>> ordered.", "<<SCORE|qSOFA>> {n:0-2}."],
    ["CC: facial droop.", "{A_age_sex}; right facial weakness including the forehead, unable to close the eye; likely <<EPONYM|Bell's palsy>> vs stroke.",
     "<<SCORE|NIHSS>> {n:1-3}; last known well 2 hours ago.", "Stroke alert not activated after {role} assessment."],
    ["CC: tick bite with rash.", "{A_age_sex}; returned from camping in {state} {timeago}; expanding target rash on the thigh.",
     "Concern for <<EPONYM|Lyme disease>>; <<DRUG|doxycycline>> <<UNIT|100 mg>> BID discussed."],
    ["CC: stiff neck and fever.", "{A_age_sex}; photophobia, <<EPONYM|Kernig sign>> positive, <<EPONYM|Brudzinski sign>> negative.",
     "<<LAB|blood cultures x2>> before <<DRUG|ceftriaxone>> <<UNIT|2 g>> IV; LP to follow."],
    ["CC: hematemesis after vomiting.", "{A_age_sex}; heavy alcohol use, repeated retching, suspect <<EPONYM|Mallory-Weiss tear>>.",
     "{lab_val:hgb}; <<LAB|type and screen>> sent.", "<<DRUG|pantoprazole>> <<UNIT|40 mg>> IV given."],
]


def b_triage(C):
    C.dx = pick(C, EPDX_ADULT)
    scen = pick(C, TRIAGE_SCEN)
    L = [pick(C, ["ED TRIAGE NOTE", "Triage", "Triage Assessment", "EMERGENCY DEPARTMENT TRIAGE", "triage note"])]
    L.extend(scen)
    L.append("{vitals}.")
    L.append(pick(C, ["Pain {pain}.", "Pain score {pain}.", "Pain: {pain}, {sym}."]))
    L.append(pick(C, ["<<SCORE|ESI>> level {n:1-4}.", "<<SCORE|ESI>> {n:2-4}.", "Acuity: <<SCORE|ESI>> {n:2-3}."]))
    L.append(pick(C, ["Allergies: NKDA.", "Allergies: penicillin (hives).", "Allergies: sulfa (rash), <<DRUG|codeine>> (nausea).",
                      "Allergies: <<DRUG|lisinopril>> (angioedema)."]))
    if chance(C, 0.5):
        L.append(pick(C, ["Meds PTA: {med_line}, {med_line}.", "Home meds: {med_line}; {otc}."]))
    L.append(pick(C, ["Roomed to main {ed}.", "To main {ed}, {ed_role} notified.", "Sent to fast track.",
                      "Placed in resus; {ed_role} at bedside.", "Roomed; {ed_role} aware."]))
    return "\n".join(L)


PHARM_COUNSEL = [
    "Counseled on injection technique for the {pen}; rotate sites.",
    "Counseled to take <<DRUG|levothyroxine>> 30-60 minutes before breakfast and separate from <<DRUG|calcium carbonate>> and <<DRUG|ferrous sulfate>> by 4 hours.",
    "Advised to avoid <<DRUG|St. John's wort>> while on {ssri} (serotonin syndrome).",
    "Reviewed signs of bleeding on {brand_ac}; avoid <<DRUG|Aleve>> and <<DRUG|Advil Liqui-Gels>>, use <<DRUG|Tylenol Extra Strength>> instead (max <<UNIT|3 g>>/day).",
    "Reviewed hypoglycemia recognition and the rule of 15; glucose tabs <<UNIT|16 g>>.",
    "Demonstrated inhaler technique with spacer for <<DRUG|Ventolin HFA>>.",
    "Reviewed <<DRUG|Narcan>> use: one spray in one nostril, call 911, repeat in 2-3 minutes if no response.",
    "Patient declined counseling.",
    "Explained <<DRUG|Plan B One-Step>> <<UNIT|1.5 mg>> is most effective within 72 hours; no prescription or ID needed.",
    "Recommended <<DRUG|Claritin>> <<UNIT|10 mg>> daily instead of <<DRUG|Benadryl Allergy>> due to sedation and fall risk in an older adult ({age_other:66-89}).",
    "Avoid <<DRUG|Sudafed PE>> and <<DRUG|Claritin-D>> given uncontrolled HTN ({bp}).",
    "Take <<DRUG|alendronate>> <<UNIT|70 mg>> with a full glass of water and stay upright for 30 minutes.",
]


@slot("pen")
def s_pen(C, arg):
    return [K(pick(C, ["Ozempic", "Mounjaro", "Humalog KwikPen", "Lantus SoloStar", "Trulicity", "Wegovy",
                       "Basaglar KwikPen", "Tresiba FlexTouch", "Humira", "EpiPen"]), "DRUG")]


def b_pharmacy(C):
    choose_dx(C, coded=True)
    L = [pick(C, ["PHARMACY COUNSELING NOTE", "Pharmacist Note", "Rx verification", "Pharmacy consult",
                  "Clinical pharmacy note", "Outpatient pharmacy - counseling"])]
    L.append(pick(C, ["Dispensed {brand_dose} (NDC {ndc}), qty {n:1-9}0, {n:3-9}0-day supply.",
                      "Filled {med_line}; NDC {ndc}.", "Dispensed {otc_name} OTC; NDC {ndc}.",
                      "New Rx: {brand}. NDC {ndc} (billing {ndc11})."]))
    L.extend(some(C, PHARM_COUNSEL, 1, 2))
    L.append(pick(C, ["Interaction alert: {inter}.", "DDI screen: {inter}. Prescriber notified.",
                      "Interaction reviewed - {inter}; acceptable with monitoring."]))
    extras = [
        "Renal dose check: <<LAB|eGFR>> {egfr_val}; {renal_drug} adjusted.",
        "Out-of-state prescription from a prescriber licensed in {state_abbr}; verified through the PDMP.",
        "Patient visiting from {state}; one-time emergency supply of {brand_name} provided.",
        "Transfer received from an out-of-state pharmacy in {state}.",
        "Prior authorization required for {brand_name}: {dx} ({dx_icd}) submitted.",
        "Vaccine given: influenza (<<CPT|90686>>), admin <<CPT|90471>>; {pr} also received Tdap in {year:recent}.",
        "Billing: HCPCS {hcpcs:J} with NDC {ndc}.",
        "Last {dx_lab_val}; no dose change needed.",
        "Recommended {otc} for {sym}.",
        "Per {the_role}, {drug_name} discontinued.",
        "<<LAB|INR>> {n:1-3}.{n:0-9} today; " + "<<DRUG|warfarin>> dose unchanged.",
        "<<LAB|INR>> {n:2-3}.{n:0-9}; <<DRUG|Coumadin>> <<UNIT|5 mg>> daily continued.",
    ]
    L.extend(some(C, extras, 1, 3))
    return "\n".join(L)


CONSULTS = {
    "Cardiology": [
        "ECG: sinus rhythm with <<EPONYM|Brugada>> type 1 pattern in V1-V2.",
        "ECG: short PR with delta waves (<<EPONYM|WPW>> pattern).",
        "Telemetry: <<EPONYM|Mobitz I>> (<<EPONYM|Wenckebach>>) overnight, asymptomatic.",
        "ECG: <<EPONYM|Wellens>> pattern (deep symmetric T-wave inversions V2-V3).",
        "Scores: <<EPONYM|CHA2DS2-VASc>> {n:2-6}, <<SCORE|HAS-BLED>> {n:1-3}.",
        "Echo: apical ballooning consistent with <<EPONYM|takotsubo cardiomyopathy>>; EF 30%.",
        "Recommend 48-hour <<EPONYM|Holter monitor>> (<<CPT|93224>>).",
        "Exam: {sign:cv}; no <<EPONYM|Osler nodes>> or <<EPONYM|Janeway lesions>>.",
        "<<LAB|hs-troponin I>> {n:4-90} -> {n:5-400} ng/L; <<LAB|BNP>> {n:100-900} pg/mL.",
        "Start {brand_ac}; continue {drug}.",
        "<<EPONYM|Killip class>> I; no <<EPONYM|Kussmaul sign>>.",
        "<<EPONYM|Beck's triad>> absent; small effusion without tamponade on echo (<<CPT|93306>>).",
    ],
    "Neurology": [
        "Exam: {sign:neuro}; {sign:neuro}; {sign:neuro}.", "<<SCORE|NIHSS>> {n:0-8}.",
        "Findings most consistent with {dx}.", "MRI brain with attention to the <<EPONYM|circle of Willis>> (MRA).",
        "LP (<<ICD10PCS|009U3ZX>>): <<LAB|CSF protein>> {n:40-180} mg/dL, cells 2.",
        "Recommend {dx_drug}.", "Check <<LAB|B12>>, <<LAB|TSH>>, <<LAB|RPR>>.",
        "<<EPONYM|Romberg>> positive; vibration sense reduced at the toes.",
    ],
    "Gastroenterology": [
        "EGD (<<CPT|43239>>): {gi_finding}.", "Colonoscopy (<<CPT|45380>>): {gi_finding2}.",
        "<<LAB|fecal calprotectin>> {n:50-900} mcg/g.", "Recommend {dx_drug}.",
        "<<EPONYM|Child-Pugh>> class {cp}; <<SCORE|MELD-Na>> {n:9-28}.",
        "Bleeding proximal to the <<EPONYM|ligament of Treitz>>; <<EPONYM|Glasgow-Blatchford score>> {n:2-12}.",
        "{Sign:abd}; no <<EPONYM|Cullen's sign>>.",
    ],
    "Endocrinology": [
        "{dx_lab_val}; {dx_lab_val}.", "Recommend {dx_drug}.", "Exam: {dx_feat}.",
        "Recheck <<LAB|TSH>> and <<LAB|free T4>> in 6 weeks.", "<<LAB|HbA1c>> goal <7%; add {brand}.",
        "Stress-dose steroid education given.", "<<EPONYM|Chvostek sign>> negative, <<EPONYM|Trousseau sign>> negative.",
    ],
    "Rheumatology": [
        "Exam: {sign:skin}; {sign:msk}.", "<<LAB|ESR>> {n:20-90} mm/hr, <<LAB|CRP>> {n:10-80} mg/L, <<LAB|ANA>> pending.",
        "<<EPONYM|Schirmer test>> <<UNIT|3 mm>> at 5 minutes.", "Recommend {dx_drug}.", "Findings support {dx}.",
        "<<EPONYM|Raynaud's phenomenon>> without digital ulcers.",
    ],
    "Orthopedics": [
        "Exam: {sign:msk}; {sign:msk}; {sign:msk}.", "X-ray: {ortho_xr}.", "MRI (<<CPT|73721>>) ordered.",
        "{otc} PRN; activity modification.", "s/p <<EPONYM|Tommy John surgery>> ({year}), now with medial elbow pain.",
        "<<EPONYM|Trendelenburg gait>> on the right.", "<<EPONYM|Thompson test>> negative; <<EPONYM|Achilles tendon>> intact.",
    ],
}


@slot("gi_finding")
def s_gi_finding(C, arg):
    return pick(C, ["salmon-colored mucosa 4 cm above the GEJ, biopsies c/w <<EPONYM|Barrett's esophagus>> without dysplasia",
                    "a nonbleeding <<EPONYM|Mallory-Weiss tear>>", "a <<EPONYM|Schatzki ring>>, dilated to 18 mm",
                    "multiple duodenal ulcers; check fasting <<LAB|gastrin>> for <<EPONYM|Zollinger-Ellison>>",
                    "erythematous antrum; biopsies for H. pylori"])


@slot("gi_finding2")
def s_gi_finding2(C, arg):
    return pick(C, ["aphthous ulcers in the terminal ileum c/w <<EPONYM|Crohn's disease>>",
                    "two tubular adenomas removed (<<CPT|45385>>)", "normal mucosa; random biopsies taken",
                    "skip lesions with cobblestoning; <<EPONYM|Crohn's>> favored over UC"])


@slot("cp")
def s_cp(C, arg):
    return pick(C, ["A", "B", "C"])


@slot("ortho_xr")
def s_ortho_xr(C, arg):
    return pick(C, ["dorsally angulated distal radius fracture (<<EPONYM|Colles fracture>>)",
                    "volarly angulated distal radius fracture (<<EPONYM|Smith fracture>>)",
                    "<<EPONYM|Salter-Harris>> II fracture of the distal radius",
                    "<<EPONYM|Weber B>> lateral malleolus fracture", "<<EPONYM|Jones fracture>> of the fifth metatarsal",
                    "<<EPONYM|Segond fracture>>; MRI for ACL", "<<EPONYM|Hill-Sachs lesion>> with <<EPONYM|Bankart lesion>>",
                    "<<EPONYM|Bennett fracture>> at the thumb base", "widened Lisfranc interval (<<EPONYM|Lisfranc injury>>)"])


CONSULT_DEPT = {"Cardiology": ["Cardiology"], "Neurology": ["Neurology"],
                "Gastroenterology": ["Gastroenterology", "Hepatology"], "Endocrinology": ["Endocrinology"],
                "Rheumatology": ["Rheumatology"], "Orthopedics": ["Orthopedics", "Hand Surgery", "Sports Medicine"]}


def b_consult(C):
    svc = pick(C, list(CONSULTS))
    pool = [d for d in EPDX_ADULT if d["dept"] in CONSULT_DEPT[svc] and d["sex"] in (None, C.sex)]
    C.dx = pick(C, pool)
    C.vars["consult"] = True
    L = [pick(C, ["<<DEPT|%s>> CONSULT" % svc.upper(), "<<DEPT|%s>> Consultation" % svc, "Consult note - <<DEPT|%s>>" % svc])]
    L.append("{h:Reason for consult} " + pick(C, ["{dx}", "{dx_feat}", "management of {dx}", "evaluation of {dx_feat}"])
             + ", requested by " + pick(C, ["the <<ROLE|hospitalist>>", "the <<ROLE|primary team>>", "the <<ROLE|attending>> ({ed})",
                                             "<<DEPT|General Surgery>>", "the <<ROLE|PCP>>", "<<DEPT|Internal Medicine>>"]) + ".")
    L.append("{h:HPI} {A_age_sex} with {pmh}, " + pick(C, ["admitted with {sym}; known {dx} since {year}.",
                                                             "found to have {dx_feat}.", "referred for {dx} diagnosed in {year}.",
                                                             "on {dx_drug}, now with {sym}."]))
    L.append("{h:Findings} " + " ".join(some(C, CONSULTS[svc], 2, 4)))
    L.append("{h:Impression} {dx_full}.")
    L.append("{h:Recommendations}")
    for i in range(C.rng.randint(2, 3)):
        L.append("%d) {plan}." % (i + 1))
    L.append(pick(C, ["Thank you for this consult; will follow.", "Discussed with {the_role}.",
                      "Please call with questions.", "Will sign off; happy to re-consult."]))
    return "\n".join(L)


OPS = [
    dict(title="Laparoscopic appendectomy", cpt="44970", pcs="0DTJ4ZZ", dx="acute appendicitis (<<ICD10CM|K35.80>>)",
         steps=["Pneumoperitoneum via <<EPONYM|Hasson trocar>> at the umbilicus.", "Inflamed appendix found beneath <<EPONYM|McBurney's point>>, no perforation.",
                "Mesoappendix divided; base stapled.", "Specimen retrieved in a bag."]),
    dict(title="Laparoscopic cholecystectomy", cpt="47562", pcs="0FT44ZZ", dx="symptomatic cholelithiasis (<<ICD10CM|K80.20>>)",
         steps=["Access with <<EPONYM|Veress needle>>; 4 ports placed.", "Fundus retracted cephalad, <<EPONYM|Hartmann's pouch>> laterally.",
                "Critical view of safety obtained within <<EPONYM|Calot's triangle>>.", "Cystic duct and artery clipped and divided."]),
    dict(title="Right total knee arthroplasty", cpt="27447", pcs="0SRC0J9", dx="primary osteoarthritis, right knee (<<ICD10CM|M17.11>>)",
         steps=["Medial parapatellar arthrotomy; <<EPONYM|Hoffa's fat pad>> partially excised.", "Cemented components placed.",
                "Tourniquet time {n:45-80} minutes.", "<<EPONYM|Foley catheter>> removed in the PACU."]),
    dict(title="Right total hip arthroplasty", cpt="27130", pcs="0SR90J9", dx="displaced femoral neck fracture (<<ICD10CM|S72.001A>>), <<EPONYM|Garden>> IV",
         steps=["Posterior approach.", "Cemented femoral stem placed.", "<<EPONYM|Trendelenburg>> precautions reviewed with PT."]),
    dict(title="Pancreaticoduodenectomy (<<EPONYM|Whipple procedure>>)", cpt="48150", pcs="0FBG0ZZ", dx="mass of the pancreatic head",
         steps=["<<EPONYM|Kocher maneuver>> performed to mobilize the duodenum.", "Jejunum divided distal to the <<EPONYM|ligament of Treitz>>.",
                "<<EPONYM|Bookwalter retractor>> used for exposure.", "Two <<EPONYM|Jackson-Pratt drains>> left."]),
    dict(title="Laparoscopic <<EPONYM|Nissen fundoplication>>", cpt="43280", pcs="0DV44ZZ", dx="GERD (<<ICD10CM|K21.9>>) with hiatal hernia",
         steps=["<<EPONYM|Penrose drain>> placed around the esophagus for retraction.", "360-degree wrap over a bougie.",
                "Crura closed with pledgeted sutures."]),
    dict(title="Incision and drainage of <<EPONYM|Bartholin gland>> abscess", cpt="56420", pcs=None, dx="<<EPONYM|Bartholin gland abscess>> (<<ICD10CM|N75.1>>)",
         steps=["Stab incision on the mucosal side.", "Purulent fluid sent for <<EPONYM|Gram stain>> and culture.", "<<EPONYM|Word catheter>> placed."]),
    dict(title="Partial palmar fasciectomy", cpt="26123", pcs=None, dx="<<EPONYM|Dupuytren contracture>> (<<ICD10CM|M72.0>>), right ring finger",
         steps=["<<EPONYM|Brunner incision>>.", "Pretendinous cord excised, digital nerves protected.", "MCP contracture corrected from 60 to 5 degrees."]),
    dict(title="Carpal tunnel release, right", cpt="64721", pcs=None, dx="carpal tunnel syndrome (<<ICD10CM|G56.01>>), <<EPONYM|Tinel's sign>> and <<EPONYM|Phalen's test>> positive",
         steps=["Transverse carpal ligament divided under direct vision.", "Median nerve decompressed."]),
    dict(title="Low transverse cesarean section", cpt="59510", pcs="10D00Z1", dx="arrest of dilation, GDM (<<ICD10CM|O24.419>>)",
         steps=["<<EPONYM|Pfannenstiel incision>>.", "Infant delivered from vertex presentation; <<EPONYM|Apgar scores>> 8 and 9.",
                "<<EPONYM|Foley catheter>> draining clear urine."]),
    dict(title="Colonoscopy with snare polypectomy", cpt="45385", pcs="0DJD8ZZ", dx="screening for colon cancer (<<ICD10CM|Z12.11>>)",
         steps=["Scope advanced to the cecum; appendiceal orifice and ileocecal valve identified.", "Two 6 mm polyps removed with cold snare.",
                "Withdrawal time {n:7-14} minutes."]),
    dict(title="Right IJ central venous catheter", cpt="36556", pcs="02HV33Z", dx="septic shock (<<ICD10CM|A41.9>>)",
         steps=["<<EPONYM|Seldinger technique>> under ultrasound guidance.", "Patient in <<EPONYM|Trendelenburg>> position.",
                "All ports flushed with <<EPONYM|Luer lock>> syringes; CXR confirms tip at the cavoatrial junction."]),
]


def b_op(C):
    op = pick(C, OPS)
    C.dx = pick(C, EPDX_ADULT)
    if "cesarean" in op["title"] or "Bartholin" in op["title"]:
        C.sex = "F"
        C.age = C.rng.randint(19, 44)
    L = [pick(C, ["OPERATIVE NOTE", "Operative Report", "Brief Op Note", "PROCEDURE NOTE"])]
    L.append("{h:Procedure} " + op["title"] + " (CPT <<CPT|%s>>" % op["cpt"] + (", ICD-10-PCS <<ICD10PCS|%s>>)" % op["pcs"] if op["pcs"] else ")"))
    L.append("{h:Indication} {A_age_sex} with " + op["dx"] + ".")
    L.append("{h:Anesthesia} " + pick(C, ["general endotracheal", "spinal", "MAC", "local with sedation"])
             + pick(C, ["; <<SCORE|ASA class>> {n:1-3}.", "; <<EPONYM|Mallampati>> II, <<EPONYM|Macintosh blade>> used.", "."]))
    L.append("{h:Description} " + " ".join(op["steps"]) + " " + pick(C, [
        "<<EPONYM|Metzenbaum scissors>> and <<EPONYM|Kelly clamp>> used.", "Instruments counted on the <<EPONYM|Mayo stand>>.",
        "Skin closed and <<DRUG|bupivacaine>> <<UNIT|0.25%>> infiltrated.", ""]))
    L.append("EBL <<UNIT|%d mL>>. Complications: none." % C.rng.choice([5, 10, 25, 50, 100, 150, 250, 400]))
    L.append(pick(C, ["Disposition: <<DEPT|PACU>> in stable condition.", "To <<DEPT|PACU>>, then floor.",
                      "Postop: {drug}; <<DRUG|ondansetron>> <<UNIT|4 mg>> IV PRN.", "Postop <<DRUG|cefazolin>> <<UNIT|2 g>> x1."]))
    return "\n".join(L)


RADS = [
    ("US venous <<EPONYM|Doppler>>, right lower extremity", "93971", "calf swelling; <<EPONYM|Wells score>> {n:1-3}",
     ["Normal compressibility and flow in the common femoral, femoral and popliteal veins.", "A 3.1 x 1.2 cm <<EPONYM|Baker's cyst>> in the popliteal fossa, intact."],
     "No DVT. Incidental <<EPONYM|Baker cyst>>."),
    ("US abdomen, limited (RUQ)", "76705", "RUQ pain, {lab_val:alt}",
     ["Multiple mobile gallstones, gallbladder wall 5 mm, pericholecystic fluid.", "Sonographic <<EPONYM|Murphy's sign>> positive.", "CBD 4 mm."],
     "Findings consistent with acute calculous cholecystitis."),
    ("CT abdomen and pelvis with contrast", "74177", "RLQ pain, {lab_val:wbc}",
     ["Dilated appendix measuring 11 mm with an appendicolith.", "Small amount of free fluid in <<EPONYM|Morison's pouch>> and the <<EPONYM|pouch of Douglas>>.", "No free air."],
     "Acute appendicitis without perforation."),
    ("Chest X-ray, 2 views", "71046", "dyspnea, {lab_val:bnp}",
     ["Cardiomegaly with cephalization and <<EPONYM|Kerley B lines>>.", "Small bilateral effusions.", "No pneumothorax."],
     "Pulmonary edema."),
    ("CT chest angiogram", "71275", "pleuritic chest pain, {lab_val:ddimer}",
     ["Filling defects in the right lower lobe segmental arteries.", "Peripheral wedge-shaped opacity (<<EPONYM|Hampton's hump>>).", "RV/LV ratio 0.9."],
     "Acute right lower lobe pulmonary emboli."),
    ("CT head without contrast", "70450", "fall on {brand_ac}, <<EPONYM|GCS>> {n:13-15}",
     ["No intracranial hemorrhage.", "Prominent <<EPONYM|Virchow-Robin spaces>> in the basal ganglia.", "Calcification along the <<EPONYM|circle of Willis>>."],
     "No acute intracranial abnormality."),
    ("MRI right knee without contrast", "73721", "twisting injury, <<EPONYM|Lachman test>> positive",
     ["Complete ACL tear.", "Small avulsion off the lateral tibial plateau (<<EPONYM|Segond fracture>>).", "Edema in <<EPONYM|Hoffa's fat pad>>.", "Horizontal tear of the posterior horn of the medial meniscus (<<EPONYM|McMurray test>> positive clinically)."],
     "ACL tear with <<EPONYM|Segond>> fracture and medial meniscal tear."),
    ("X-ray right wrist, 3 views", "73110", "FOOSH injury",
     ["Dorsally angulated, impacted distal radius fracture.", "Ulnar styloid fracture."],
     "<<EPONYM|Colles fracture>>."),
    ("X-ray left ankle", "73610", "inversion injury; tender posterior malleolus",
     ["Oblique fracture of the distal fibula at the level of the syndesmosis.", "Mortise congruent."],
     "<<EPONYM|Weber B>> fracture of the lateral malleolus."),
    ("TTE complete", "93306", "murmur, fever",
     ["LVEF 55%.", "Mobile echodensity on the anterior mitral leaflet.", "Moderate aortic regurgitation; diastolic rumble consistent with an <<EPONYM|Austin Flint murmur>> clinically.", "Color <<EPONYM|Doppler>>: no VSD."],
     "Findings concerning for endocarditis; correlate with <<EPONYM|Duke criteria>>."),
    ("Carotid duplex", "93880", "TIA, <<EPONYM|Hollenhorst plaque>> on fundoscopy",
     ["Heterogeneous plaque at the right ICA origin, PSV 260 cm/s.", "Left ICA <50%."],
     "70-99% right ICA stenosis."),
]


def b_rad(C):
    exam, cpt, ind, finds, imp = pick(C, RADS)
    C.dx = pick(C, EPDX_ADULT)
    L = [pick(C, ["RADIOLOGY REPORT", "Imaging report", "DIAGNOSTIC IMAGING"])]
    L.append("{h:Exam} " + exam + " (CPT <<CPT|%s>>)" % cpt)
    L.append("{h:Indication} {Age_sex}, " + ind + ".")
    L.append("{h:Comparison} " + pick(C, ["None.", "Prior study from {year:recent}.", "Outside films from {state}, {year}."]))
    L.append("{h:Findings} " + " ".join(finds))
    L.append("{h:Impression} " + imp + pick(C, [" Discussed with {the_role}.", " Results routed to the ordering <<ROLE|provider>>.", "", " Findings communicated to the {ed}."]))
    return "\n".join(L)


def b_nursing(C):
    choose_dx(C)
    L = [pick(C, ["NURSING NOTE", "Nursing shift note", "SBAR handoff", "RN note"])]
    L.append("S: " + pick(C, ["{sym} overnight.", "breathing pattern change overnight; {sign:resp}.", "{Pr} reports pain {pain}.", "increased confusion since midnight."]))
    L.append("B: {A_age_sex} admitted for {dx_full}; on {dx_drug}.")
    L.append("A: {vitals}. " + " ".join(some(C, [
        "<<EPONYM|Foley catheter>> draining clear yellow urine, <<UNIT|{n:3-9}00 mL>> this shift.",
        "<<EPONYM|Braden score>> {n:11-18}; turned q2h.", "{Sign:resp}.", "{lab_val:poc} at 2100, covered with {insulin_dose}.",
        "<<EPONYM|JP drain>> output <<UNIT|{n:20-90} mL>> serosanguinous.", "On <<EPONYM|Venturi mask>> 35%.",
        "<<SCORE|CIWA-Ar>> {n:4-18}.", "Pain {pain} after {drug_dose}."], 1, 3)))
    L.append("R: " + pick(C, ["notified {the_role}; orders received for {lab_name}.", "{the_role} aware, will reassess.",
                              "continue monitoring; {lab_name} in AM.", "paged {the_role}; {drug} given per order."]))
    return "\n".join(L)


PT_TESTS = {
    "M17.11": ["McMurray test", "Apley grind test", "Thomas test", "Patrick's test"],
    "S83.511A": ["Lachman test", "McMurray test", "Apley grind test"],
    "M75.41": ["Hawkins-Kennedy test", "Neer test", "Speed's test", "O'Brien test", "Yergason's test"],
    "G56.01": ["Tinel's sign", "Phalen's test", "Spurling test"],
    "M65.4": ["Finkelstein test", "Tinel's sign", "Phalen's test"],
    "M54.50": ["Lasègue sign", "Patrick's test", "Thomas test", "Trendelenburg sign", "Ober test"],
}
SIGN_BY_NAME = {v: e for e in SIGNS for v in e[0]}


def b_pt(C):
    C.dx = pick(C, EPDX_ADULT)
    code = pick(C, ICD_MSK)
    L = [pick(C, ["PHYSICAL THERAPY EVALUATION", "PT Initial Evaluation", "Physical Therapy Progress Note", "PT daily note"])
         + pick(C, [" (<<CPT|97162>>)", " (<<CPT|97161>>)", ""])]
    L.append("Dx: " + ICD_DICT[code] + " (<<ICD10CM|%s>>)." % code)
    L.append("S: {A_age_sex}, {job}, pain {pain} with activity; " + pick(C, ["uses {otc_dose} as needed.", "taking {drug}.", "worse with stairs.", "sleeping poorly."]))
    tests = some(C, PT_TESTS[code], 2, 3)
    L.append("O: Strength {str}; " + ", ".join("{ptsign:%s}" % t for t in tests) + "." + pick(C, [" ROM limited by pain.", "", " Gait antalgic."]))
    L.append("A: Findings consistent with referral dx; good rehab potential.")
    L.append("P: " + pick(C, ["Therapeutic exercise (<<CPT|97110>>) and manual therapy (<<CPT|97140>>) 2x/week x 6 weeks.",
                              "<<CPT|97110>> x2 units, <<CPT|97530>> x1 unit; HEP issued.",
                              "Manual therapy <<CPT|97140>>, e-stim (<<HCPCS|G0283>>), HEP."]) + pick(C, [" Crutches (<<HCPCS|E0114>>) issued.", " Knee immobilizer <<HCPCS|L1830>>.", " Wrist splint <<HCPCS|L3908>>.", ""]))
    return "\n".join(L)


@slot("ptsign")
def s_ptsign(C, arg):
    return _sign_phrase(C, entry=SIGN_BY_NAME[arg])


PA_CASES = [
    ("{pa:Humira|Entyvio|Stelara}", "K50.90", "<<EPONYM|Crohn's disease>>", ["mesalamine", "budesonide"], "{lab_val:calpro}; {lab_val:crp}"),
    ("{pa:Ozempic|Mounjaro|Trulicity}", "E11.65", "type 2 diabetes with hyperglycemia", ["metformin", "glipizide"], "{lab_val:a1c}"),
    ("{pa:Wegovy|Zepbound}", "E66.9", "obesity, BMI <<UNIT|{n:35-44}.{n:0-9} kg/m2>> (<<ICD10CM|Z68.41>>)", ["metformin", "topiramate"], "{lab_val:a1c}"),
    ("<<DRUG|Eliquis>> <<UNIT|5 mg>> BID", "I48.91", "atrial fibrillation, <<EPONYM|CHA2DS2-VASc>> {n:2-6}", ["warfarin"], "<<LAB|INR>> labile on <<DRUG|warfarin>>; {lab_val:cr}"),
    ("<<DRUG|Dupixent>> <<UNIT|300 mg>> every 2 weeks", "L20.9", "atopic dermatitis", ["triamcinolone", "tacrolimus"], "<<SCORE|EASI>> {n:18-40}"),
    ("<<DRUG|Reclast>> <<UNIT|5 mg>> IV", "M88.9", "<<EPONYM|Paget's disease of bone>>", ["alendronate"], "{lab_val:alp}"),
    ("<<DRUG|Gammagard Liquid>> (<<DRUG|IVIG>>) <<UNIT|0.4 g/kg>>/day x 5 days", "G61.0", "<<EPONYM|Guillain-Barré syndrome>>", ["prednisone"], "{lab_val:csfprot}"),
    ("<<DRUG|Entresto>> <<UNIT|49-51 mg>> BID", "I50.22", "chronic systolic heart failure, EF 30%", ["lisinopril", "losartan"], "{lab_val:ntprobnp}"),
    ("brand <<DRUG|Synthroid>> <<UNIT|88 mcg>> (DAW)", "E06.3", "<<EPONYM|Hashimoto's thyroiditis>>", ["levothyroxine"], "<<LAB|TSH>> fluctuating on generic, most recently {lab_val:tsh}"),
    ("<<DRUG|Sublocade>> <<UNIT|300 mg>> monthly", "F11.20", "opioid use disorder, moderate", ["buprenorphine-naloxone"], "<<LAB|urine drug screen>> consistent"),
    ("<<DRUG|Cuvrior>> (<<DRUG|trientine tetrahydrochloride>>)", "E83.01", "<<EPONYM|Wilson's disease>>", ["penicillamine"], "{lab_val:cerulo}"),
    ("<<DRUG|Plaquenil>> <<UNIT|200 mg>> BID", "M35.00", "<<EPONYM|Sjögren syndrome>>", ["pilocarpine"], "{lab_val:esr}; <<LAB|anti-SSA/SSB>> positive"),
    ("<<DRUG|Remicade>> <<UNIT|5 mg/kg>> (<<HCPCS|J1745>>)", "K50.90", "fistulizing <<EPONYM|Crohn's>>", ["adalimumab", "budesonide"], "{lab_val:crp}; {lab_val:alb}"),
]


@slot("pa")
def s_pa(C, arg):
    name = pick(C, arg.split("|"))
    return _drug_parts(C, name)


def b_priorauth(C):
    med, code, dxtext, tried, labs = pick(C, PA_CASES)
    C.dx = pick(C, EPDX_ADULT)
    L = [pick(C, ["PRIOR AUTHORIZATION REQUEST", "Prior auth - letter of medical necessity", "Pharmacy prior authorization", "PA request"])]
    L.append("{h:Medication} " + med)
    L.append("{h:Diagnosis} " + dxtext + " (<<ICD10CM|%s>>)" % code)
    t1 = tried[0]
    L.append("{h:Clinical summary} {A_age_sex}, diagnosed in {year}. Tried <<DRUG|%s>> ({year}-{year_after})" % t1
             + (" and <<DRUG|%s>>" % tried[1] if len(tried) > 1 else "") + ", " + pick(C, ["stopped for {side_effect}.", "inadequate response.", "not tolerated ({side_effect})."])
             + " Most recent: " + labs + ".")
    L.append("{h:Requested by} " + pick(C, ["{dept}", "the <<ROLE|PCP>>", "the <<ROLE|prescribing physician>>", "<<DEPT|Specialty Pharmacy>>"]))
    if chance(C, 0.5):
        L.append(pick(C, ["NDC {ndc}; quantity {n:1-4} per 28 days.", "Billing NDC {ndc} ({ndc11}).", "If clinic-administered: HCPCS {hcpcs:J}, NDC {ndc}."]))
    return "\n".join(L)


def b_phone(C):
    choose_dx(C)
    L = [pick(C, ["TELEPHONE ENCOUNTER", "Phone note", "Nurse triage call", "Telephone call"])]
    L.append(pick(C, ["Pt called reporting {sym} after starting {brand_name}.", "Patient's daughter called: {pr} has had {sym} for {n:2-5} days.",
                      "Caller asks if {otc_name} is ok with {brand_name}.", "Returned call re: {dx_lab_val}."]))
    L.append(pick(C, ["Advised to hold {brand_name} and take {otc} instead.", "Advised {otc}; go to the {ed} if {sym} worsens.",
                      "Reviewed result; continue {dx_drug}.", "Per protocol, scheduled same-week visit."]))
    L.append(pick(C, ["Routed to {the_role}.", "Message sent to {dept}.", "{The_role} agrees with plan.", "No further questions."]))
    if chance(C, 0.4):
        L.append("Hx: {dx_full}; moved from {state} in {year}.")
    return "\n".join(L)


def b_ob(C):
    C.sex = "F"
    C.age = C.rng.randint(18, 44)
    C.dx = pick(C, EPDX_ADULT)
    ga = C.rng.randint(8, 41)
    L = [pick(C, ["OB VISIT", "Prenatal visit", "L&D admission note", "Obstetric note"])]
    L.append("{A_age_sex} G%dP%d at %d weeks by first-trimester US." % (C.rng.randint(1, 5), C.rng.randint(0, 3), ga))
    L.append(" ".join(some(C, [
        "1-hour glucose challenge {n:140-190} mg/dL; 3-hour GTT abnormal, GDM (<<ICD10CM|O24.419>>).",
        "GDM diet controlled (<<ICD10CM|O24.410>>); fasting sugars {glu_range}.",
        "<<EPONYM|Leopold maneuvers>>: vertex, EFW about <<UNIT|3200 g>>.",
        "Occasional <<EPONYM|Braxton Hicks contractions>>.", "<<EPONYM|Bishop score>> {n:3-10}.",
        "<<EPONYM|Chadwick sign>> noted on speculum exam.", "Last <<EPONYM|Pap smear>> in {year:recent}, NILM.",
        "Rh negative; <<DRUG|RhoGAM>> <<UNIT|300 mcg>> IM at 28 weeks.", "{lab_val:hgb}; continue prenatal vitamin and {drug_dose} daily.",
        "Taking <<DRUG|Tylenol Extra Strength>> PRN headache; avoid <<DRUG|Advil Liqui-Gels>>.",
        "Plan <<EPONYM|McRoberts maneuver>> if shoulder dystocia.", "BP {bp}; <<LAB|urine protein/creatinine ratio>> 0.2.",
        "Moved from {state} at 20 weeks; prenatal records received."], 2, 4)))
    L.append("Plan: " + pick(C, ["RTC 2 weeks.", "NST twice weekly.", "Delivery planned at 39 weeks.", "Billed global OB <<CPT|59400>>."]))
    return "\n".join(L)


def b_peds(C):
    C.set_peds()
    choose_dx(C, coded=True)
    L = [pick(C, ["PEDIATRIC VISIT", "Well-child check", "Pediatrics sick visit", "Peds clinic note"])]
    L.append("{A_age_sex}" + pick(C, [" with {dx_full}.", " brought in for {sym}; known {dx}.", " here for follow-up of {dx}."]))
    age = C.age
    wt = max(3.5, 3.5 + age * 2.8 if age < 12 else 35 + (age - 12) * 5)
    pool = ["Exam notable for {dx_feat}.", "Weight <<UNIT|%.1f kg>>." % (wt * C.rng.uniform(0.85, 1.2)),
            "<<DRUG|acetaminophen>> <<UNIT|15 mg/kg>> q6h PRN.", "Temp {temp}.", "Family recently moved from {state}.",
            "Vaccines up to date.", "{Lab_val:crp}.", "{Lab_val:hgb}."]
    if age < 1:
        pool += ["{Sign:peds}; {sign:peds}.", "<<EPONYM|Ortolani>> and <<EPONYM|Barlow>> negative.", "<<EPONYM|Moro reflex>> symmetric.",
                 "Born at term, <<EPONYM|Apgar>> scores <<SCORE|8/9>>.", "Using <<DRUG|Pedialyte>> <<UNIT|5 mL>> every 5 minutes."]
    elif age < 9:
        pool += ["<<DRUG|Children's Motrin>> <<UNIT|10 mg/kg>> q6-8h PRN fever.", "No <<EPONYM|Koplik spots>>.",
                 "<<DRUG|Pedialyte>> for hydration.", "{Sign:peds}.", "<<EPONYM|Gowers' sign>> negative."]
    else:
        pool += ["<<EPONYM|Tanner stage>> {n:2-4}.", "<<DRUG|Motrin IB>> <<UNIT|400 mg>> q6h PRN after practice.",
                 "{Sign:msk}.", "Plays soccer 5 days a week."]
    L.append(" ".join(some(C, pool, 2, 4)))
    L.append("A/P: {dx} - {plan}. " + pick(C, ["Return precautions given.", "Follow up in {n:1-4} weeks.", "Refer to {dx_dept}."]))
    return "\n".join(L)


def b_psych(C):
    C.dx = pick(C, EPDX_ADULT)
    L = [pick(C, ["PSYCHIATRY FOLLOW-UP", "Behavioral Health Note", "Psychiatric evaluation", "Med management visit"])]
    L.append("{A_age_sex} with " + pick(C, ["MDD (<<ICD10CM|F33.1>>)", "depression (<<ICD10CM|F32.A>>)", "GAD (<<ICD10CM|F41.1>>)",
                                             "<<EPONYM|Tourette's disorder>> (<<ICD10CM|F95.2>>)", "<<EPONYM|Asperger's>> (<<ICD10CM|F84.5>>) and GAD"])
             + pick(C, [", also followed for {dx}.", ".", "; comorbid {dx}."]))
    L.append(" ".join(some(C, [
        "<<SCORE|PHQ-9>> {n:3-22} (previously {n:8-24}).", "<<SCORE|GAD-7>> {n:3-18}.", "<<SCORE|AUDIT-C>> {n:0-6}.",
        "On {ssri}; partial response.", "Started <<DRUG|St. John's wort>> on {pos} own - advised to stop given {ssri}.",
        "Tics decreased on <<DRUG|guanfacine ER>> <<UNIT|1 mg>>.", "Sleep improved with <<DRUG|trazodone>> <<UNIT|50 mg>> qhs.",
        "<<EPONYM|Beck Depression Inventory>> {n:10-35}.", "Denies SI/HI.", "<<DRUG|Wellbutrin XL>> <<UNIT|150 mg>> added.",
        "Prefers written instructions.", "Moved from {state} {timeago}; establishing care.", "Works as a {job}; stressors reviewed."], 2, 4)))
    L.append("Plan: " + pick(C, ["continue {ssri}; psychotherapy (<<CPT|90834>>).", "increase {ssri}; RTC 4 weeks.",
                                 "<<CPT|90837>> weekly; <<CPT|96127>> screening each visit.", "continue meds; {topic}."]))
    return "\n".join(L)


ED_SCEN = [
    ("chest pain", ["<<SCORE|HEART score>> {n:1-3}; <<LAB|hs-troponin I>> {n:2-9} -> {n:3-9} ng/L.", "ECG (<<CPT|93000>>): NSR, no <<EPONYM|Brugada>> pattern, no delta wave.",
                    "<<EPONYM|Levine sign>> absent.", "Given <<DRUG|aspirin>> <<UNIT|324 mg>>."], "chest pain, unspecified (<<ICD10CM|R07.9>>)", "home; stress test as outpatient."),
    ("pleuritic chest pain", ["<<EPONYM|Wells criteria>> {n:2-4}; <<LAB|D-dimer>> <<UNIT|{n:900-3000} ng/mL FEU>>.", "CTA chest (<<CPT|71275>>) with segmental PE.",
                              "Started <<DRUG|enoxaparin>> <<UNIT|1 mg/kg>> SC."], "PE (<<ICD10CM|I26.99>>)", "admit to {dept}."),
    ("sore throat", ["<<EPONYM|Centor criteria>> {n:3-4}; <<LAB|rapid strep>> positive.", "No trismus; no <<EPONYM|Ludwig's angina>>.",
                     "<<DRUG|amoxicillin>> <<UNIT|500 mg>> BID x 10 days."], "strep pharyngitis (<<ICD10CM|J02.0>>)", "home."),
    ("cough and fever", ["<<SCORE|CURB-65>> {n:0-2}.", "CXR (<<CPT|71046>>): RLL consolidation.", "{Lab_val:pct}.",
                         "<<DRUG|Augmentin>> <<UNIT|875 mg>> BID plus <<DRUG|azithromycin>>."], "pneumonia (<<ICD10CM|J18.9>>)", "home with return precautions."),
    ("RUQ pain", ["Positive <<EPONYM|Murphy's sign>>.", "{Lab_val:alt}; {lab_val:lipase}.", "RUQ US (<<CPT|76705>>): stones, wall thickening.",
                  "<<DRUG|ketorolac>> <<UNIT|15 mg>> IV (<<HCPCS|J1885>>)."], "cholecystitis with cholelithiasis", "admit to <<DEPT|General Surgery>>."),
    ("vertigo", ["<<EPONYM|Dix-Hallpike>> positive on the right.", "<<EPONYM|Epley maneuver>> performed (<<CPT|95992>>) with relief.",
                 "<<SCORE|NIHSS>> 0; HINTS benign."], "BPPV (<<ICD10CM|H81.10>>)", "home with <<DRUG|meclizine>> <<UNIT|25 mg>> PRN."),
    ("headache and neck stiffness", ["<<EPONYM|Kernig sign>> positive, <<EPONYM|Brudzinski sign>> positive.", "CT head (<<CPT|70450>>) negative, LP performed.",
                                     "<<DRUG|ceftriaxone>> <<UNIT|2 g>> IV and <<DRUG|vancomycin>> given."], "suspected bacterial meningitis", "admit to <<DEPT|ICU>>."),
    ("hyperglycemia", ["<<EPONYM|Kussmaul breathing>>.", "{Lab_val:glu}; {lab_val:bhb}; {lab_val:co2}.", "Insulin drip started."],
     "DKA in type 1 diabetes", "admit to <<DEPT|MICU>>."),
    ("facial weakness", ["Forehead involved; <<EPONYM|Bell's phenomenon>> present.", "<<SCORE|NIHSS>> 1 (facial).", "<<DRUG|prednisone>> <<UNIT|60 mg>> daily x 7 days."],
     "<<EPONYM|Bell's palsy>> (<<ICD10CM|G51.0>>)", "home; <<DEPT|Neurology>> follow-up."),
    ("wrist injury after fall", ["<<EPONYM|GCS>> 15.", "X-ray (<<CPT|73110>>): <<EPONYM|Colles fracture>>.", "Closed reduction, sugar-tong splint."],
     "<<EPONYM|Colles' fracture>> (<<ICD10CM|S52.531A>>)", "home; <<DEPT|Orthopedics>> in 1 week."),
    ("back pain", ["<<EPONYM|Lasègue sign>> negative; no saddle anesthesia.", "<<DRUG|ketorolac>> <<UNIT|30 mg>> IM (<<HCPCS|J1885>> x2).",
                   "<<DRUG|cyclobenzaprine>> <<UNIT|5 mg>> TID PRN."], "low back pain (<<ICD10CM|M54.50>>)", "home."),
    ("palpitations", ["ECG: short PR, delta waves - <<EPONYM|Wolff-Parkinson-White>> pattern.", "{Lab_val:k}; {lab_val:tsh}.",
                      "Avoid AV nodal blockers."], "<<EPONYM|WPW>> (<<ICD10CM|I45.6>>)", "home; <<DEPT|Cardiology>> referral."),
]


def b_ed(C):
    cc, mdm, dx, dispo = pick(C, ED_SCEN)
    C.dx = pick(C, EPDX_ADULT)
    L = [pick(C, ["ED PROVIDER NOTE", "Emergency Department Note", "ED course / MDM", "ED note"])]
    L.append("{A_age_sex} with {pmh} presents with " + cc + ".")
    L.append("{vitals}. " + " ".join(mdm) + pick(C, ["", " Tried {otc} at home.", " Recent travel to {state}."]))
    L.append("Dx: " + dx + pick(C, ["", "; {icd_item}"]) + ".")
    L.append("Dispo: " + dispo + " Level {cpt:ed}.")
    return "\n".join(L)


PROCS = [
    ("Knee arthrocentesis, right", "20610|knee effusion, OA (<<ICD10CM|M17.11>>)", "Effusion aspirated, <<UNIT|40 mL>> straw-colored fluid; <<EPONYM|Baker's cyst>> not drained. Injected <<DRUG|triamcinolone>> <<UNIT|40 mg>> (<<HCPCS|J3301>> x4 units). Inpatient PCS <<ICD10PCS|0S9C3ZZ>>."),
    ("Canalith repositioning", "95992|BPPV (<<ICD10CM|H81.10>>)", "<<EPONYM|Dix-Hallpike>> positive on the right; <<EPONYM|Epley maneuver>> performed x2 with resolution of nystagmus."),
    ("Lumbar puncture", "62270|fever and headache, concern for meningitis", "L3-L4 interspace, opening pressure 18 cm H2O; CSF sent for <<LAB|CSF protein>>, glucose, cell count, <<EPONYM|Gram stain>>. ICD-10-PCS <<ICD10PCS|009U3ZX>>."),
    ("Paracentesis, US-guided", "49083|cirrhosis with tense ascites (<<ICD10CM|K74.60>>)", "<<UNIT|4.2 L>> removed; <<DRUG|albumin 25%>> <<UNIT|25 g>> IV given. ICD-10-PCS <<ICD10PCS|0W9G3ZZ>>."),
    ("Thoracentesis, right", "32555|right pleural effusion", "<<UNIT|900 mL>> cloudy fluid; <<EPONYM|Light's criteria>> applied to pleural/serum <<LAB|LDH>> and protein. ICD-10-PCS <<ICD10PCS|0W9930Z>>."),
    ("<<EPONYM|Swan-Ganz catheter>> placement", "93503|cardiogenic shock", "Right IJ, <<EPONYM|Seldinger technique>>; wedge <<UNIT|22 mmHg>>, CI 1.9. ICD-10-PCS <<ICD10PCS|02HP32Z>>."),
    ("<<EPONYM|Foley catheter>> insertion", "51702|urinary retention", "16 Fr placed with sterile technique; <<UNIT|600 mL>> clear urine returned. Supply <<HCPCS|A4338>>; PCS <<ICD10PCS|0T9B70Z>>."),
    ("Tendon sheath injection, first dorsal compartment", "20550|radial-sided wrist pain (<<ICD10CM|M65.4>>)", "For <<EPONYM|de Quervain tenosynovitis>> (<<EPONYM|Finkelstein test>> positive). <<DRUG|methylprednisolone>> <<UNIT|40 mg>> (<<HCPCS|J1030>>) with <<DRUG|lidocaine>> <<UNIT|1%>>."),
    ("I&D of abscess", "10060|thigh abscess", "Fluctuant abscess incised; packed. Culture sent (<<EPONYM|Gram stain>> pending). Started <<DRUG|Bactrim DS>> BID x 7 days. PCS <<ICD10PCS|0J9M0ZZ>> if inpatient."),
    ("Endotracheal intubation", "31500|hypoxic respiratory failure, <<EPONYM|GCS>> 7", "RSI with <<DRUG|etomidate>> <<UNIT|20 mg>> and <<DRUG|rocuronium>> <<UNIT|100 mg>>; <<EPONYM|Macintosh blade>> 4, grade I view; <<EPONYM|Sellick maneuver>> not used. ICD-10-PCS <<ICD10PCS|0BH17EZ>>."),
]


def b_procedure(C):
    name, cpt, body = pick(C, PROCS)
    cpt, ind = cpt.split("|", 1)
    C.dx = pick(C, EPDX_ADULT)
    L = [pick(C, ["PROCEDURE NOTE", "Procedure Note", "Bedside procedure"])]
    L.append("{h:Procedure} " + name + " (CPT <<CPT|%s>>)" % cpt)
    L.append("{h:Indication} {A_age_sex}" + pick(C, [" with ", ", "]) + ind + ".")
    L.append("Consent obtained; time-out performed. " + pick(C, ["<<LAB|INR>> {n:1-1}.{n:0-4}, platelets {n:90-300}.", "Allergies reviewed.", "<<DRUG|lidocaine>> <<UNIT|1%>> local."]))
    L.append(body)
    L.append(pick(C, ["No complications. EBL minimal.", "Tolerated well; post-procedure {vitals}.", "Performed by the {role}, supervised by the attending."]))
    return "\n".join(L)


def b_cdi(C):
    choose_dx(C, coded=True)
    L = [pick(C, ["CDI QUERY", "Clinical documentation query", "Coding query"])]
    L.append("To: " + pick(C, ["the <<ROLE|attending>>", "the <<ROLE|hospitalist>>", "the <<ROLE|surgeon>>", "the <<ROLE|attending>> ({dx_dept})"]) + ".")
    L.append(pick(C, [
        "Documentation notes {lab_val} and {lab_val}; please clarify whether this represents {dx} ({dx_icd}), another condition, or is clinically insignificant.",
        "The H&P lists {dx}; the discharge summary lists {icd_item}. Please clarify the principal diagnosis.",
        "{Lab_trend}. Please document the associated diagnosis if clinically valid (e.g. AKI, <<ICD10CM|N17.9>>).",
        "Procedure documented as {ep_proc}; please confirm approach so ICD-10-PCS ({pcs}) can be assigned.",
    ]))
    L.append(pick(C, ["Response: agree, {dx} confirmed.", "Response pending.", "Response: {icd_item} is correct.", "Per {the_role}: clinically insignificant."]))
    return "\n".join(L)


def b_message(C):
    choose_dx(C)
    L = [pick(C, ["Patient portal message (reply)", "MyChart-style reply", "Result note to patient", "Message to patient"]).replace("MyChart-style reply", "Portal reply")]
    L.append(pick(C, ["Hello,", "Hi,", "Good news,", ""]))
    L.append(pick(C, ["Your recent labs are back: {lab_val}, {lab_val}.", "Your {dx_lab_val} is better than last time.",
                      "The {common_lab} looks normal."]))
    L.append(pick(C, ["Please continue {dx_drug}.", "Please keep taking {brand} and avoid {otc_name}.", "No changes to your medicines for now.",
                      "We'd like to increase {chronic_med_name}; the pharmacy has the new prescription."]))
    L.append(pick(C, ["Recheck in {n:2-6} months.", "Your {role} will see you at the next visit.", "Call the clinic if you have {sym}.",
                      "{Dept} will reach out to schedule."]))
    return "\n".join(x for x in L if x)


INFUSIONS = [
    ("<<DRUG|Remicade>> (<<DRUG|infliximab>>) <<UNIT|5 mg/kg>>", 5, 10, "J1745", "K50.90", "<<EPONYM|Crohn's disease>>", True),
    ("<<DRUG|infliximab>> <<UNIT|5 mg/kg>>", 5, 10, "J1745", "K50.90", "fistulizing <<EPONYM|Crohn's>>", True),
    ("<<DRUG|Gammagard Liquid>> (<<DRUG|IVIG>>) <<UNIT|0.4 g/kg>>", 400, 500, "J1569", "G61.0", "<<EPONYM|Guillain-Barré syndrome>>, day {n:2-5} of 5", True),
    ("<<DRUG|zoledronic acid>> (<<DRUG|Reclast>>) <<UNIT|5 mg>>", None, 1, "J3489", "M88.9", "<<EPONYM|Paget's disease of bone>>", False),
    ("<<DRUG|iron sucrose>> (<<DRUG|Venofer>>) <<UNIT|200 mg>>", None, 1, "J1756", "D50.9", "iron deficiency anemia", False),
    ("<<DRUG|cyanocobalamin>> <<UNIT|1000 mcg>> IM", None, 1, "J3420", "D51.0", "pernicious (<<EPONYM|Addisonian>>) anemia", "IM"),
    ("<<DRUG|Solu-Medrol>> (<<DRUG|methylprednisolone>>) <<UNIT|1 g>> IV", None, 1, "J2930", "G35", "MS relapse with <<EPONYM|Lhermitte's sign>>", False),
    ("<<DRUG|Prolia>> (<<DRUG|denosumab>>) <<UNIT|60 mg>> SC", None, 1, "J0897", "M81.0", "age-related osteoporosis", "SC"),
    ("<<DRUG|Ocrevus>> (<<DRUG|ocrelizumab>>) <<UNIT|600 mg>>", None, 1, "J2350", "G35", "relapsing MS", False),
    ("<<DRUG|ceftriaxone>> <<UNIT|1 g>> IV", None, 1, "J0696", "A69.20", "<<EPONYM|Lyme>> carditis (<<EPONYM|Mobitz I>> on ECG)", False),
    ("<<DRUG|Entyvio>> (<<DRUG|vedolizumab>>) <<UNIT|300 mg>>", None, 1, "J3380", "K50.90", "<<EPONYM|Crohn's disease>>", False),
]
HCPCS_UNITS = {"J1745": 10, "J1569": 500, "J3489": 1, "J1756": 1, "J3420": 1000, "J2930": 125, "J0897": 1, "J2350": 1, "J0696": 250, "J3380": 1}
DOSE_MG = {"J3489": 5, "J1756": 200, "J3420": 1000, "J2930": 1000, "J0897": 60, "J2350": 600, "J0696": 1000, "J3380": 300}


def b_infusion(C):
    drug, perkg, _unit, hc, code, dxtext, weight_based = pick(C, INFUSIONS)
    C.dx = pick(C, EPDX_ADULT)
    wt = round(C.rng.uniform(48, 118), 1)
    L = [pick(C, ["INFUSION CENTER NOTE", "Medication administration record", "Infusion visit", "Outpatient infusion"])]
    L.append("{A_age_sex}, weight <<UNIT|%.1f kg>>, here for %s." % (wt, pick(C, ["scheduled infusion", "maintenance dose", "dose {n:2-8}"])))
    L.append("Dx: " + dxtext + " (<<ICD10CM|%s>>)." % code)
    if weight_based is True:
        mg = int(round(perkg * wt / 10.0) * 10)
        units = mg // HCPCS_UNITS[hc] if HCPCS_UNITS[hc] > 1 else mg
        L.append("Order: " + drug + " = <<UNIT|%d mg>> IV over %s." % (mg, pick(C, ["2 hours", "3 hours", "4 hours per protocol"])))
    else:
        mg = DOSE_MG[hc]
        units = max(1, mg // HCPCS_UNITS[hc])
        L.append("Order: " + drug + ".")
    inj = weight_based in ("IM", "SC")
    if not inj:
      L.append(pick(C, ["Premeds: <<DRUG|acetaminophen>> <<UNIT|650 mg>> PO and <<DRUG|diphenhydramine>> <<UNIT|25 mg>> IV.",
                      "Premeds: <<DRUG|Tylenol>> <<UNIT|650 mg>>, <<DRUG|Benadryl>> <<UNIT|25 mg>>, <<DRUG|Solu-Cortef>> <<UNIT|100 mg>>.",
                      "No premeds required.", "Premed: <<DRUG|cetirizine>> <<UNIT|10 mg>> PO."]))
    L.append("Pre: {vitals}.")
    if inj:
        L.append(pick(C, ["Given in the deltoid; tolerated well.", "Administered; observed 15 minutes without reaction.", "Tolerated well; post BP {bp}."]))
    else:
        L.append(pick(C, ["Tolerated without infusion reaction; post BP {bp}.", "Mild flushing at 60 minutes, rate slowed, resolved; post BP {bp}.",
                          "Completed without complication. Post {vitals}."]))
    if inj:
        L.append("Billing: CPT <<CPT|96372>>; HCPCS <<HCPCS|%s>> x %d unit%s; NDC {ndc}." % (hc, units, "" if units == 1 else "s"))
    else:
        L.append("Billing: CPT <<CPT|96365>>" + pick(C, [", <<CPT|96366>>", ""]) + "; HCPCS <<HCPCS|%s>> x %d unit%s; NDC {ndc}." % (hc, units, "" if units == 1 else "s"))
    if chance(C, 0.4):
        L.append(pick(C, ["Next dose in {n:4-8} weeks.", "Labs drawn: {common_lab}, {dx_lab_name}.", "Pre-infusion {lab_val:alt}; {lab_val:cr}."]))
    return "\n".join(L)


DEPT_PCS = {
    "Gastroenterology": ["0DJ08ZZ", "0DJD8ZZ", "30233N1", "0W9G3ZZ"],
    "Hepatology": ["0W9G3ZZ", "30233N1", "0DJ08ZZ", "02HV33Z"],
    "Cardiology": ["02703ZZ", "027034Z", "02100Z9", "02HV33Z", "30233N1"],
    "General Surgery": ["0DTJ4ZZ", "0FT44ZZ", "0DTJ0ZZ", "0DB64Z3", "0D164ZA", "0DV44ZZ"],
    "Neurology": ["009U3ZX", "0BH17EZ", "5A1945Z", "5A1935Z"],
    "Orthopedics": ["0SRC0J9", "0SRD0J9", "0SR90J9", "0SRB0J9"],
    "Infectious Disease": ["02HV33Z", "009U3ZX", "30233N1"],
    "Hematology/Oncology": ["30233N1", "02HV33Z", "009U3ZX"],
    "other": ["30233N1", "02HV33Z", "0BH17EZ", "5A1945Z", "5A1955Z", "0T9B70Z", "0W9930Z"],
}


def b_abstract(C):
    choose_dx(C, coded=True)
    L = [pick(C, ["INPATIENT CODING ABSTRACT", "Coding abstract", "HIM abstract"])]
    L.append("Principal Dx: {dx_icd} {dx_icd_desc} (POA Y)")
    for _ in range(C.rng.randint(1, 3)):
        L.append("Secondary: {icd} (POA %s)" % pick(C, ["Y", "Y", "N", "U"]))
    L.append("Procedures (ICD-10-PCS):")
    b = bullet_char(C)
    pool = DEPT_PCS.get(C.dx["dept"], DEPT_PCS["other"])
    for code in some(C, pool, 1, 3):
        desc = PCS_DICT[code]
        L.append(b + pick(C, ["<<ICD10PCS|%s>> - %s" % (code, desc), "%s (ICD-10-PCS <<ICD10PCS|%s>>)" % (desc[0].upper() + desc[1:], code),
                              "<<ICD10PCS|%s>>" % code]))
    L.append("Admit source: {ed}. Service: {dx_dept}. LOS %d days." % C.rng.randint(1, 12))
    L.append(pick(C, ["State of residence: {state}.", "Residence: {state} (out of area).", "Patient resides in {state}.", ""]))
    L.append("Professional: {cpt:hosp}, " + pick(C, ["{cpt:hosp}", "<<CPT|99238>>", "<<CPT|99239>>"]) + ".")
    if chance(C, 0.4):
        L.append("Attending query resolved: {dx} documented as principal.")
    return "\n".join(x for x in L if x)


def b_telehealth(C):
    choose_dx(C, coded=True)
    L = [pick(C, ["TELEHEALTH VISIT", "Telemedicine note (audio-video)", "Video visit", "Virtual visit"])]
    L.append(pick(C, ["Patient location: home in {state}. Provider location: clinic. Provider licensed in {state_abbr}.",
                      "Patient located in {state} during the visit; provider holds a license in {state} and {state_abbr}.",
                      "Patient is at a second home in {state}; confirmed the provider is licensed there.",
                      "Patient location: {state}; provider licensed in {state_abbr} (interstate compact)."]))
    L.append(pick(C, ["Verbal consent for telehealth obtained.", "Consent obtained; video and audio adequate.", "Audio-only after video failed."]))
    L.append("{A_age_sex} with {dx_full}. " + " ".join(some(C, HPI_MORE, 1, 2)))
    L.append(pick(C, ["Exam limited to observation: {dx_feat}.", "Self-reported home BP {bp}, weight {weight}.", "Observed: no respiratory distress."]))
    L.append("Plan: {plan}; {gplan}.")
    L.append(pick(C, ["Billed {cpt:em}-95, POS 10.", "E/M {cpt:em} with modifier 95.", "Billed {cpt:em}-93 (audio-only).", "Time {n:15-40} minutes."]))
    return "\n".join(L)


LAB_ORDERS = [
    ("HbA1c", "4548-4", "83036"), ("lipid panel", "57698-3", "80061"), ("CMP", "24323-8", "80053"),
    ("BMP", "51990-0", "80048"), ("CBC with diff", "57021-8", "85025"), ("TSH", "3016-3", "84443"),
    ("free T4", "3024-7", "84439"), ("urinalysis", "24356-8", "81003"), ("urine culture", "630-4", "87086"),
    ("PSA", "2857-1", "84153"), ("25-OH vitamin D", "62292-8", "82306"), ("vitamin B12", "2132-9", "82607"),
    ("ferritin", "2276-4", "82728"), ("iron", "2498-4", "83540"), ("magnesium", "19123-9", "83735"),
    ("PT/INR", "6301-6", "85610"), ("troponin I", "10839-9", "84484"), ("BNP", "30934-4", "83880"),
    ("lipase", "3040-3", "83690"), ("uric acid", "3084-1", "84550"), ("CRP", "1988-5", "86140"),
    ("ESR", "4537-7", "85652"), ("urine albumin", "14957-5", "82043"), ("hepatitis C antibody", "16128-1", "86803"),
    ("ceruloplasmin", "2064-4", "82390"), ("cortisol", "2143-6", "82533"), ("CK", "2157-6", "82550"),
    ("LDH", "2532-0", "83615"), ("ammonia", "16362-6", "82140"), ("lactate", "2524-7", "83605"),
    ("procalcitonin", "33959-8", "84145"), ("D-dimer", "48065-7", "85379"), ("hemoglobin", "718-7", "85018"),
    ("ALT", "1742-6", "84460"), ("AST", "1920-8", "84450"), ("creatinine", "2160-0", "82565"),
    ("glucose", "2345-7", "82947"), ("potassium", "2823-3", "84132"), ("sodium", "2951-2", "84295"),
    ("calcium", "17861-6", "82310"), ("RPR", "20507-0", "86592"),
]


def b_requisition(C):
    choose_dx(C, coded=True)
    L = [pick(C, ["LAB ORDER REQUISITION", "Outpatient orders", "Order summary", "Standing lab orders"])]
    L.append("Ordering: " + pick(C, ["{dx_dept}", "<<DEPT|Family Medicine>>", "<<DEPT|Internal Medicine>>", "the <<ROLE|PCP>>"])
             + ". Priority: " + pick(C, ["routine", "STAT", "fasting, routine", "timed (trough)"]) + ".")
    b = bullet_char(C)
    fmt = C.rng.randint(0, 2)
    for name, lc, cpt in some(C, LAB_ORDERS, 3, 6):
        if fmt == 0:
            L.append(b + "<<LAB|%s>> (LOINC <<LOINC|%s>>; CPT <<CPT|%s>>)" % (name, lc, cpt))
        elif fmt == 1:
            L.append("<<LAB|%s>> | <<LOINC|%s>> | <<CPT|%s>>" % (name, lc, cpt))
        else:
            L.append(b + "<<CPT|%s>> <<LAB|%s>> [<<LOINC|%s>>]" % (cpt, name, lc))
    if chance(C, 0.5):
        L.append(pick(C, ["Imaging: chest X-ray 2 views (<<CPT|71046>>).", "Imaging: CT head without contrast (<<CPT|70450>>).",
                          "ECG (<<CPT|93000>>).", "Venous <<EPONYM|Doppler>>, right leg (<<CPT|93971>>).", "<<EPONYM|Holter monitor>> 48 h (<<CPT|93224>>)."]))
    L.append("Dx justification: {dx_icd}" + pick(C, ["", ", {icd}", ", {icd}, {icd}"]) + ".")
    L.append(pick(C, ["Venipuncture <<CPT|36415>>.", "Draw in 2 weeks, before the {dx_dept} visit.", "Repeat every 3 months x 4.", "ABN signed for frequency-limited tests."]))
    return "\n".join(L)


DME_CASES = [
    ("CPAP setup", "G47.33", "obstructive sleep apnea, AHI {n:15-60} events/hr on polysomnography (<<CPT|95810>>)",
     [("E0601", "CPAP device"), ("A7030", "full face mask"), ("A7037", "tubing"), ("E0562", "heated humidifier"), ("A7038", "disposable filters")]),
    ("home oxygen", "J44.9", "COPD with resting SpO2 <<UNIT|{n:84-88}%>> on room air",
     [("E1390", "oxygen concentrator"), ("E0431", "portable gaseous oxygen system"), ("A4615", "nasal cannula")]),
    ("diabetic supplies", "E11.65", "type 2 diabetes on insulin (<<ICD10CM|Z79.4>>), testing 4 times daily",
     [("E0607", "home blood glucose monitor"), ("A4253", "test strips, per 50"), ("A4259", "lancets, per 100")]),
    ("continuous glucose monitor", "E10.9", "type 1 diabetes on MDI with <<DRUG|Humalog KwikPen>> and <<DRUG|Tresiba FlexTouch>>",
     [("E2103", "non-adjunctive CGM receiver"), ("A4239", "CGM supply allowance, 1 month")]),
    ("mobility equipment", "M17.11", "severe knee osteoarthritis, <<EPONYM|Trendelenburg gait>>",
     [("E0143", "folding wheeled walker"), ("E0163", "commode chair"), ("K0001", "standard wheelchair")]),
    ("fracture boot", "S92.351A", "<<EPONYM|Jones fracture>>, non-weight-bearing",
     [("L4361", "pneumatic walking boot"), ("E0114", "underarm crutches, pair")]),
    ("wrist orthosis", "G56.01", "carpal tunnel syndrome, <<EPONYM|Phalen's test>> and <<EPONYM|Tinel's sign>> positive",
     [("L3908", "wrist hand orthosis, prefabricated")]),
    ("hospital bed", "G12.21", "<<EPONYM|Lou Gehrig's disease>> with progressive weakness",
     [("E0260", "semi-electric hospital bed"), ("E0277", "powered pressure-reducing air mattress"), ("K0001", "standard wheelchair")]),
    ("nebulizer", "J45.40", "moderate persistent asthma",
     [("E0570", "nebulizer with compressor"), ("J7613", "<<DRUG|albuterol>> unit dose, <<UNIT|1 mg>>")]),
    ("BiPAP", "G12.21", "neuromuscular hypoventilation from <<EPONYM|Lou Gehrig's disease>>",
     [("E0470", "BiPAP without backup rate"), ("A7030", "full face mask"), ("A7037", "tubing")]),
    ("post-op knee", "S83.511A", "ACL tear, <<EPONYM|Lachman test>> 2+",
     [("L1830", "knee immobilizer"), ("E0114", "crutches")]),
]


def b_dme(C):
    title, code, why, items = pick(C, DME_CASES)
    C.dx = pick(C, EPDX_ADULT)
    L = [pick(C, ["DME ORDER", "Durable medical equipment order", "DME prescription", "Equipment order"]) + " - " + title]
    L.append("{A_age_sex}; " + why + ".")
    L.append("Dx: <<ICD10CM|%s>> %s." % (code, ICD_DICT.get(code, "")) if code in ICD_DICT and chance(C, 0.6) else "Dx: <<ICD10CM|%s>>." % code)
    b = bullet_char(C)
    for hc, desc in items:
        L.append(b + pick(C, ["<<HCPCS|%s>> %s" % (hc, desc), "%s (HCPCS <<HCPCS|%s>>)" % (desc[0].upper() + desc[1:], hc),
                              "<<HCPCS|%s>> - %s, qty 1" % (hc, desc)]))
    L.append(pick(C, ["Length of need: 99 months.", "Length of need: lifetime.", "Length of need: 3 months.", "Face-to-face visit completed; {cpt:em}."]))
    L.append(pick(C, ["Supplier: in-network DME vendor.", "Delivery to home; {the_role} to follow up.", "Patient spends winters in {state}; vendor ships there.",
                      "Signed by the ordering <<ROLE|physician>>."]))
    return "\n".join(L)


def b_fills(C):
    choose_dx(C)
    L = [pick(C, ["DISPENSING HISTORY", "Pharmacy fill history (90 days)", "Medication fill record", "Refill history"])]
    b = bullet_char(C)
    for _ in range(C.rng.randint(3, 5)):
        L.append(b + pick(C, ["{chronic_med} | NDC {ndc} | qty {n:3-9}0 | {n:3-9}0 DS",
                              "{chronic_med}; NDC {ndc}; last fill {n:5-40} days ago",
                              "NDC {ndc} {chronic_med_name} <<UNIT|{n:1-4}0 mg>>, #{n:3-9}0"]))
    L.append(pick(C, ["PDMP reviewed; no controlled substances.", "PDMP: one fill of <<DRUG|oxycodone>> <<UNIT|5 mg>> #12 after surgery.",
                      "Adherence (PDC) {n:60-98}%.", "Early refill requested while traveling in {state}."]))
    L.append(pick(C, ["Pharmacist: <<DRUG|%s>> gap noted; called patient." % pick(C, CHRONIC),
                      "Synchronization to one pickup day set up.", "Transferred prescriptions from an out-of-state pharmacy ({state_abbr}).",
                      "Insurance requires 90-day mail order for {chronic_med_name}."]))
    return "\n".join(L)


KINDS = [
    ("progress note", b_progress, 72), ("discharge summary", b_discharge, 45), ("billing note", b_billing, 70),
    ("infusion note", b_infusion, 32), ("coding abstract", b_abstract, 30), ("telehealth note", b_telehealth, 28),
    ("lab requisition", b_requisition, 30), ("DME order", b_dme, 26), ("dispensing history", b_fills, 24),
    ("chat answer", b_chat, 70), ("lab report", b_lab, 48), ("referral", b_referral, 35), ("triage", b_triage, 40),
    ("pharmacy", b_pharmacy, 50), ("consult note", b_consult, 35), ("operative note", b_op, 28),
    ("radiology report", b_rad, 26), ("nursing note", b_nursing, 24), ("physical therapy note", b_pt, 18),
    ("prior authorization", b_priorauth, 18), ("telephone note", b_phone, 16), ("obstetric note", b_ob, 17),
    ("pediatric note", b_peds, 20), ("psychiatry note", b_psych, 17), ("ED note", b_ed, 22),
    ("procedure note", b_procedure, 18), ("coding query", b_cdi, 13), ("patient message", b_message, 12),
]


# ---------------------------------------------------------------------------
# Style transforms and assembly
# ---------------------------------------------------------------------------

def merge(parts):
    out = []
    for s, lab in parts:
        if not s:
            continue
        if lab is None and out and out[-1][1] is None:
            out[-1] = (out[-1][0] + s, None)
        else:
            out.append((s, lab))
    return out


def apply_style(C, parts):
    st = C.style
    if st == "std":
        return parts
    out = []
    if st == "lower":
        for s, lab in parts:
            if lab is None:
                out.append((s.lower(), None))
            elif lab in LOWERABLE and C.rng.random() < 0.6 and not (lab == "STATE" and len(s) == 2):
                out.append((s.lower(), lab))
            else:
                out.append((s, lab))
        return out
    if st == "upper":
        return [(s.upper(), lab) for s, lab in parts]
    return parts


def render(C, tpl):
    parts = merge(fill(tpl, C))
    parts = apply_style(C, parts)
    parts = merge(parts)
    text = []
    keep = []
    pos = 0
    for s, lab in parts:
        if lab is not None:
            assert s == s.strip() and s, (s, lab)
            keep.append({"start": pos, "end": pos + len(s), "label": lab})
        text.append(s)
        pos += len(s)
    text = "".join(text)
    return text, keep


def make_note(rng, kind, fn):
    for attempt in range(200):
        C = Ctx(rng, kind)
        r = rng.random()
        if kind == "chat answer":
            C.style = "lower" if r < 0.5 else "std"
        elif kind in ("triage", "nursing note", "telephone note"):
            C.style = "lower" if r < 0.15 else ("upper" if r < 0.25 else "std")
        else:
            C.style = "upper" if r < 0.07 else ("lower" if r < 0.12 else "std")
        tpl = fn(C)
        text, keep = render(C, tpl)
        if 150 <= len(text) <= 1200:
            return text, keep
    raise RuntimeError("could not make a note of kind %s within length bounds" % kind)


# ---------------------------------------------------------------------------
# PHI audit
# ---------------------------------------------------------------------------

MONTHS = ["January", "February", "March", "April", "June", "July", "August", "September",
          "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug",
          "Sep", "Sept", "Oct", "Nov", "Dec"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
AUDIT = [
    ("month name", re.compile(r"\b(" + "|".join(MONTHS) + r")\b", re.I)),
    ("May as month", re.compile(r"\bMay\s+\d|\b\d{1,2}\s+May\b|\bMay\s+(of\s+)?(19|20)\d\d", re.I)),
    ("weekday", re.compile(r"\b(" + "|".join(DAYS) + r")\b", re.I)),
    ("holiday", re.compile(r"\b(Christmas|Thanksgiving|Easter|Halloween|New Year)\b", re.I)),
    ("numeric date", re.compile(r"\b\d{1,4}[/-]\d{1,2}[/-]\d{2,4}\b")),
    ("phone", re.compile(r"\(?\b\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b")),
    ("ssn", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    ("email", re.compile(r"\S+@\S+")),
    ("url", re.compile(r"https?://|www\.|\.com\b|\.org\b|\.gov\b", re.I)),
    ("ip", re.compile(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b")),
    ("honorific", re.compile(r"\b(Dr|Mr|Mrs|Ms|Miss|Prof)\.?\s+[A-Z][a-zA-Z]")),
    ("record number", re.compile(r"\b(MRN|acct|account|SSN|member id|policy|license no|lic #|serial (no|number|#))\b", re.I)),
    ("age 90+", re.compile(r"\b(9\d|1[0-4]\d)\s*(-|\s)?(year|yr|yo|y/o|years)", re.I)),
    ("St. not saint-eponym", re.compile(r"\bSt\.\s+(?!John's wort|Vitus)", re.I)),
]


def audit(note):
    text = note["text"]
    spans = sorted(note["keep"], key=lambda k: k["start"])
    problems = []
    prev = -1
    for k in spans:
        if k["start"] < prev:
            problems.append("overlap at %d" % k["start"])
        prev = k["end"]
        tok = text[k["start"]:k["end"]]
        if not tok or tok != tok.strip():
            problems.append("bad span %r" % tok)
    for name, rx in AUDIT:
        for m in rx.finditer(text):
            problems.append("%s: %r" % (name, m.group(0)))
    # bare 5-digit numbers (ZIP-like) must be inside a CPT/NDC/LOINC/UNIT span
    for m in re.finditer(r"(?<![\d.-])\d{5}(?![\d.])", text):
        inside = any(k["start"] <= m.start() and m.end() <= k["end"] for k in spans)
        if not inside:
            problems.append("bare 5-digit number %r" % m.group(0))
    # d/d fractions that look like dates must be labelled (pain/strength/apgar scores)
    for m in re.finditer(r"(?<![\d/.])\d{1,2}/\d{1,2}(?![\d/])", text):
        inside = any(k["start"] <= m.start() and m.end() <= k["end"] for k in spans)
        if not inside:
            problems.append("unlabelled fraction %r" % m.group(0))
    # ages in AGE spans must be <= 89
    for k in spans:
        if k["label"] == "AGE":
            n = re.search(r"\d+", text[k["start"]:k["end"]])
            if n and int(n.group(0)) > 89:
                problems.append("age > 89")
        if k["label"] == "YEAR":
            y = int(text[k["start"]:k["end"]])
            if not (1900 <= y <= CURRENT_YEAR):
                problems.append("bad year")
    return problems


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--n", type=int, default=800)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "notes.jsonl"))
    ap.add_argument("--stats", action="store_true", help="print label and kind statistics")
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    total_w = sum(w for _, _, w in KINDS)
    plan = []
    for kind, fn, w in KINDS:
        plan += [(kind, fn)] * max(1, round(args.n * w / total_w))
    while len(plan) < args.n:
        plan.append(KINDS[0][:2])
    plan = plan[:args.n]
    rng.shuffle(plan)

    notes = []
    seen_text = set()
    for i, (kind, fn) in enumerate(plan):
        for _ in range(50):
            text, keep = make_note(rng, kind, fn)
            if text not in seen_text:
                break
        seen_text.add(text)
        note = {"id": "note-%04d" % (i + 1), "kind": kind, "text": text, "keep": keep}
        probs = audit(note)
        if probs:
            raise SystemExit("audit failed for %s (%s): %s\n%s" % (note["id"], kind, probs, text))
        for k in keep:
            assert text[k["start"]:k["end"]], k
        notes.append(note)

    with open(args.out, "w", encoding="utf-8") as fh:
        for n in notes:
            fh.write(json.dumps(n, ensure_ascii=False) + "\n")

    labels = Counter(k["label"] for n in notes for k in n["keep"])
    kinds = Counter(n["kind"] for n in notes)
    lens = [len(n["text"]) for n in notes]
    print("wrote %d notes, %d keep spans to %s" % (len(notes), sum(labels.values()), args.out))
    print("length min/mean/max: %d/%d/%d" % (min(lens), sum(lens) // len(lens), max(lens)))
    for lab, c in sorted(labels.items(), key=lambda x: -x[1]):
        print("  %-9s %5d" % (lab, c))
    if args.stats:
        for k, c in sorted(kinds.items(), key=lambda x: -x[1]):
            print("  %-22s %4d" % (k, c))
    return 0


if __name__ == "__main__":
    sys.exit(main())
