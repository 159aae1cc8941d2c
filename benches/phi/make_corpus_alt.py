#!/usr/bin/env python3
"""A second labelled PHI corpus, written independently of make_corpus.py: other sentence
templates, other Faker locales (es_ES, en_AU, en_CA, pt_PT, nl_BE, en_IE among them), and
Faker's own phone, address and date formats. A check that the detector was not tuned to one
generator's phrasing.

usage: make_corpus_alt.py [--seed 99] [--docs 800] --out corpus.jsonl
Same output format as make_corpus.py (code point offsets).
"""
import argparse
import json
import os
import random
import re
import sys

# Faker builds some locale lists from Python sets: fix the hash seed, or the output changes from
# run to run.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable, *sys.argv])
from datetime import date

from faker import Faker

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=99)
ap.add_argument("--docs", type=int, default=800)
ap.add_argument("--out", required=True)
args = ap.parse_args()
random.seed(args.seed)
locs=['en_US','en_US','en_GB','de_DE','fr_FR','es_ES','it_IT','en_AU','en_CA','pt_PT','nl_BE','en_IE']
fakers = {l: Faker(l) for l in sorted(set(locs))}
ssn_faker = Faker('en_US')
ssn_faker.seed_instance(args.seed + 1)
for f in fakers.values():
    f.seed_instance(args.seed)
T=[
 "Discharge note for {NAME}. DOB {DATE}. Address on file: {ADDR}.",
 "{NAME} ({AGE90}) presented with chest pain; troponin 0.04 ng/mL, BP 150/95.",
 "Contact the daughter, {NAME}, at {PHONE} or {EMAIL}.",
 "The claim was filed under policy number {PLAN} for {NAME}.",
 "Pt {NAME} was transferred from {CITY} on {DATE}.",
 "Please update the chart (MRN {MRN}) with the new insurer details.",
 "Billing: card ending {CARD}, account {ACCT}.",
 "Follow-up scheduled {DATE} with Dr. {LAST} in cardiology.",
 "Home: {ADDR}. Phone: {PHONE}.",
 "{NAME} reports improved sleep on melatonin 3 mg nightly.",
 "Visited our portal from IP {IP} using {URL}.",
 "Driver licence {DL} scanned at registration.",
 "Emergency contact: {NAME}, {PHONE}.",
 "Lab drawn {DATE}: Na 138, K 4.4, creatinine 0.9 mg/dL (ICD-10 N18.2).",
 "The {AGE_OK}-year-old was advised to take lisinopril 20 mg daily.",
 "Social security number {SSN} was verified by {NAME}.",
 "Mail the records to {NAME}, {ADDR}.",
 "Device ID {SERIAL} implanted {DATE}.",
 "Referral from {NAME}, MD, fax {PHONE}.",
 "Patient lives alone in {CITY} and walks 2 km a day.",
]
out = open(args.out, 'w', encoding='utf-8')
for i in range(args.docs):
    f=fakers[random.choice(locs)]
    sents=random.sample(T, random.randint(2,5))
    text=''; ents=[]
    for tpl in sents:
        pieces=re.split(r'(\{[A-Z_0-9]+\})', tpl)
        for p in pieces:
            if p.startswith('{'):
                k=p[1:-1]; lab=None
                if k=='NAME': v=f.first_name()+' '+f.last_name(); lab='NAME'
                elif k=='LAST': v=f.last_name(); lab='NAME'
                elif k=='DATE': v=f.date_between(date(1940, 1, 1), date(2025, 12, 31)).strftime(random.choice(['%m/%d/%Y','%Y-%m-%d','%d %B %Y','%B %d, %Y','%d.%m.%Y'])); lab='DATE'
                elif k=='ADDR': v=f.street_address(); lab='STREET_ADDRESS'
                elif k=='CITY': v=f.city(); lab='CITY'
                elif k=='AGE90': v='age '+str(random.randint(90,104)); 
                elif k=='AGE_OK': v=str(random.randint(20,85)); 
                elif k=='PHONE': v=f.phone_number(); lab='PHONE'
                elif k=='EMAIL': v=f.email(); lab='EMAIL'
                elif k=='PLAN': v=f.bothify('??#########').upper(); lab='HEALTH_PLAN'
                elif k=='MRN': v=f.numerify('########'); lab='MRN'
                elif k=='CARD': v=f.credit_card_number(); lab='ACCOUNT'
                elif k=='ACCT': v=f.numerify('##########'); lab='ACCOUNT'
                elif k=='IP': v=random.choice([f.ipv4(), f.ipv6()]); lab='IP_ADDRESS'
                elif k=='URL': v=f.url(); lab='URL'
                elif k=='DL': v=f.bothify('?#######').upper(); lab='LICENSE'
                elif k=='SSN': v=ssn_faker.ssn(); lab='SSN'
                elif k=='SERIAL': v=f.bothify('SN-####-????').upper(); lab='DEVICE'
                if k=='AGE90':
                    n=v.split()[1]; s=len(text)+4; text+=v; ents.append({'start':s,'end':s+len(n),'label':'AGE'}); continue
                s=len(text); text+=v
                if lab: ents.append({'start':s,'end':len(text),'label':lab})
            else:
                text+=p
        text+=' '
    out.write(json.dumps({'id':f'alt-{i}','text':text.strip(),'entities':ents})+'\n')
