#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""
make_notes_b.py -- generator for held-out, PHI-free clinical texts (set B).

Writes notes.jsonl: one JSON object per line

    {"id": "b-0001", "kind": "...", "text": "...",
     "keep": [{"start": int, "end": int, "label": str}, ...]}

Every text is synthetic. None contains any of the 18 HIPAA Safe Harbor
identifiers (45 CFR 164.514(b)(2)): no person names, no geographic unit
smaller than a state, no date element other than a bare year, no age over 89,
no contact details, no record / account / plan / licence / serial numbers.

`keep` lists clinically meaningful tokens that a de-identifier must leave
unchanged.  Offsets are Python str indices, end exclusive.

Standard library only; output is a pure function of --seed (default 4049).

Implementation note: templates are written in a small placeholder language.
"{LABEL:token}" marks `token` as a keep span with that label (short aliases:
U=UNIT, D=DRUG, L=LAB, O=ORG_TERM, DV=DEVICE_TERM, SC=SCORE, E=EPONYM;
EP/EPC/EPU/EPT pick a written variant of a catalogued eponym, optionally
capitalised, upper-cased or title-cased).  Lower-case placeholders such as
"{lab:K}" or "{score:NIHSS}" call generator functions.  Marked text is
converted to plain text + spans at the end; nesting is impossible.
"""
import argparse
import json
import os
import random
import re
import sys
from collections import Counter, defaultdict

rng = random.Random(4049)

S, M, X = "\x01", "\x02", "\x03"
LABELS = {"EPONYM", "DRUG", "LAB", "UNIT", "CPT", "HCPCS", "ICD10CM", "ICD10PCS",
          "LOINC", "NDC", "SNOMED", "RXNORM", "DRG", "STATE", "AGE", "YEAR",
          "SCORE", "DEVICE_TERM", "ORG_TERM"}
ALIAS = {"U": "UNIT", "D": "DRUG", "L": "LAB", "O": "ORG_TERM", "DV": "DEVICE_TERM",
         "SC": "SCORE", "E": "EPONYM", "CM": "ICD10CM", "PCS": "ICD10PCS"}


def K(label, tok):
    label = ALIAS.get(label, label)
    assert label in LABELS, label
    assert tok and tok == tok.strip(), repr(tok)
    assert not any(c in tok for c in (S, M, X, "{", "}")), repr(tok)
    return S + label + M + tok + X


def parse(marked):
    """marked text -> (plain text, spans)"""
    out, spans, toks, pos, i = [], [], [], 0, 0
    while i < len(marked):
        if marked[i] == S:
            j = marked.index(M, i)
            k = marked.index(X, j)
            label, tok = marked[i + 1:j], marked[j + 1:k]
            assert S not in tok and M not in tok
            spans.append({"start": pos, "end": pos + len(tok), "label": label})
            toks.append(tok)
            out.append(tok)
            pos += len(tok)
            i = k + 1
        else:
            n = marked.find(S, i)
            n = len(marked) if n == -1 else n
            seg = marked[i:n]
            assert M not in seg and X not in seg, repr(seg)
            out.append(seg)
            pos += len(seg)
            i = n
    text = "".join(out)
    for sp, tok in zip(spans, toks):
        assert text[sp["start"]:sp["end"]] == tok, (tok, sp)
    return text, spans


def seg_map(marked, fn_text, fn_tok=None):
    """apply fn_text to the unmarked text, fn_tok(label, tok) to spans"""
    res, i = [], 0
    while i < len(marked):
        if marked[i] == S:
            j = marked.index(M, i)
            k = marked.index(X, j)
            label, tok = marked[i + 1:j], marked[j + 1:k]
            if fn_tok:
                tok = fn_tok(label, tok)
            res.append(S + label + M + tok + X)
            i = k + 1
        else:
            n = marked.find(S, i)
            n = len(marked) if n == -1 else n
            res.append(fn_text(marked[i:n]))
            i = n
    return "".join(res)


def ch(seq):
    return rng.choice(seq)


def maybe(p=0.5):
    return rng.random() < p


def ri(a, b):
    return rng.randint(a, b)


def rf(a, b, d=1):
    return f"{rng.uniform(a, b):.{d}f}"


def sample(seq, k):
    k = max(0, min(k, len(seq)))
    return rng.sample(list(seq), k)


def cap1(s):
    return s[:1].upper() + s[1:]


SMALL = {"of", "de", "von", "en", "y", "and", "the", "in", "with", "to", "for", "a", "on"}


def titlecase(s):
    words = s.split(" ")
    out = []
    for i, w in enumerate(words):
        if i and w in SMALL:
            out.append(w)
        else:
            out.append(w[:1].upper() + w[1:])
    return " ".join(out)


def style(s, case):
    if case == "upper":
        return s.upper()
    if case == "cap":
        return cap1(s)
    if case == "title":
        return titlecase(s)
    return s


def glue(s, p=0.22):
    """'5 mg' -> '5mg' sometimes (glued number+unit)"""
    m = re.match(r"^([\d.,/]+) (mg|mcg|g|mL|mEq|kg|mg/dL|mEq/L|mmol/L|%|L|mg/kg|units|cm|mm|Fr)$", s)
    if m and maybe(p):
        return m.group(1) + m.group(2)
    return s


def U(s, p=0.22):
    return K("UNIT", glue(s, p))


# ------------------------------------------------------------------ eponyms
EPONYM_DATA = r"""
sign: Murphy's sign | Murphy sign
sign: McBurney's point tenderness | McBurney point tenderness
sign: Rovsing's sign | Rovsing sign
sign: Kernig's sign | Kernig sign
sign: Brudzinski's sign | Brudzinski sign
sign: Babinski sign | Babinski's sign | Babinski
sign: Homans' sign | Homan's sign | Homans sign
sign: Chvostek's sign | Chvostek sign
sign: Trousseau's sign | Trousseau sign
sign: Cullen's sign | Cullen sign
sign: Grey Turner's sign | Grey Turner sign
sign: Kehr's sign | Kehr sign
sign: Battle's sign | Battle sign
sign: Tinel's sign | Tinel sign
sign: Hoffmann's sign | Hoffmann sign | Hoffman sign
sign: Lhermitte's sign | Lhermitte sign
sign: Gowers' sign | Gower's sign | Gowers sign
sign: Trendelenburg sign | Trendelenburg's sign | Trendelenburg gait
sign: Kussmaul's sign | Kussmaul sign
sign: Levine's sign | Levine sign
sign: Duroziez's sign | Duroziez sign
sign: Quincke's pulse | Quincke pulse
sign: de Musset's sign | de Musset sign
sign: Corrigan's pulse | Corrigan pulse
sign: Janeway lesions | Janeway lesion
sign: Osler's nodes | Osler nodes
sign: Roth spots | Roth's spots
sign: Argyll Robertson pupil | Argyll Robertson pupils
sign: Marcus Gunn pupil | Marcus Gunn
sign: Adie's tonic pupil | Adie pupil
sign: Nikolsky's sign | Nikolsky sign
sign: Asboe-Hansen sign
sign: Auspitz sign | Auspitz's sign
sign: Darier's sign | Darier sign
sign: Koebner phenomenon | Köbner phenomenon
sign: Stemmer's sign | Stemmer sign
sign: Blumberg's sign | Blumberg sign
sign: Carnett's sign | Carnett sign
sign: Courvoisier's sign | Courvoisier sign | Courvoisier's law
sign: Hamman's sign | Hamman's crunch
sign: Ewart's sign | Ewart sign
sign: Pemberton's sign | Pemberton sign
sign: Schamroth's sign | Schamroth window test
sign: Terry's nails | Terry nails
sign: Beau's lines | Beau lines
sign: Mees' lines | Mees lines
sign: Muehrcke's lines | Muehrcke lines
sign: Dennie-Morgan lines | Dennie-Morgan folds
sign: Hutchinson's sign | Hutchinson sign
sign: Frank's sign | Frank sign
sign: Wartenberg's sign | Wartenberg sign
sign: Froment's sign | Froment sign
sign: Hoover's sign | Hoover sign
sign: Waddell signs | Waddell's signs
sign: Lasègue's sign | Lasegue sign
sign: Kayser-Fleischer rings | Kayser-Fleischer ring | KF rings
sign: McConnell's sign | McConnell sign
sign: Ashman phenomenon | Ashman beats
test: Patrick's test | Patrick test
test: Gaenslen's test | Gaenslen test
test: Speed's test | Speed test
test: Yergason's test | Yergason test
test: Hawkins-Kennedy test | Hawkins test
test: Neer's test | Neer impingement sign | Neer test
test: Spurling's test | Spurling maneuver | Spurling test
test: Phalen's test | Phalen's maneuver | Phalen test
test: Finkelstein's test | Finkelstein test
test: Lachman test | Lachman's test | Lachman
test: McMurray test | McMurray's test
test: Thompson test | Simmonds-Thompson test
test: Apley grind test | Apley's test
test: Ober's test | Ober test
test: Thomas test
test: Allen's test | Allen test | modified Allen test
test: Adson's test | Adson test
test: Romberg sign | Romberg test | Romberg
test: Weber test | Weber tuning fork test
test: Rinne test | Rinne
test: Dix-Hallpike maneuver | Dix-Hallpike | Dix-Hallpike test
test: Schober test | modified Schober test
test: Trendelenburg test
test: Snellen chart | Snellen
test: Ishihara plates | Ishihara
test: Amsler grid
test: Schirmer test | Schirmer's test
test: Seidel test | Seidel sign
test: Jendrassik maneuver
maneuver: Epley maneuver | Epley
maneuver: Valsalva maneuver | Valsalva | Valsalva manoeuvre
maneuver: Heimlich maneuver | Heimlich
maneuver: Sellick maneuver | Sellick's maneuver
maneuver: Ortolani maneuver | Ortolani test | Ortolani
maneuver: Barlow maneuver | Barlow test | Barlow
maneuver: McRoberts maneuver | McRoberts
maneuver: Woods screw maneuver | Woods corkscrew maneuver
maneuver: Rubin maneuver | Rubin II maneuver
maneuver: Leopold maneuvers | Leopold's maneuvers
maneuver: Credé maneuver | Crede maneuver
maneuver: Kocher maneuver | Kocherization
maneuver: Pringle maneuver
triad: Beck's triad | Beck triad
triad: Virchow's triad | Virchow triad
triad: Charcot's triad | Charcot triad
triad: Reynolds' pentad | Reynolds pentad
triad: Cushing's triad | Cushing triad | Cushing reflex
triad: Whipple's triad | Whipple triad
triad: O'Donoghue's triad | O'Donoghue triad
resp: Kussmaul respirations | Kussmaul breathing | Kussmaul's respiration
resp: Cheyne-Stokes respiration | Cheyne-Stokes breathing | Cheyne-Stokes
resp: Biot's respirations | Biot breathing
murmur: Graham Steell murmur
murmur: Carey Coombs murmur
murmur: Still's murmur | Still murmur
murmur: Korotkoff sounds
dz: Guillain-Barré syndrome | Guillain-Barre syndrome | GBS
dz: Parkinson's disease | Parkinson disease | Parkinson's
dz: Alzheimer's disease | Alzheimer disease | Alzheimer's dementia
dz: Huntington's disease | Huntington disease
dz: dementia with Lewy bodies | Lewy body dementia | DLB
dz: Creutzfeldt-Jakob disease | CJD
dz: Tourette syndrome | Tourette's
dz: Charcot-Marie-Tooth disease | CMT
dz: Duchenne muscular dystrophy | DMD
dz: Becker muscular dystrophy
dz: Down syndrome | Down's syndrome
dz: Turner syndrome
dz: Klinefelter syndrome
dz: Marfan syndrome | Marfan's
dz: Ehlers-Danlos syndrome | EDS | hypermobile EDS
dz: Crohn's disease | Crohn disease | Crohn's
dz: Hirschsprung disease | Hirschsprung's disease
dz: Barrett's esophagus | Barrett esophagus | Barrett's
dz: Zenker's diverticulum | Zenker diverticulum
dz: Meckel's diverticulum | Meckel diverticulum
dz: Mallory-Weiss tear | Mallory-Weiss syndrome
dz: Boerhaave syndrome
dz: Wilms tumor | Wilms' tumour
dz: Hodgkin lymphoma | Hodgkin's lymphoma | classic Hodgkin lymphoma
dz: non-Hodgkin lymphoma | NHL
dz: Burkitt lymphoma
dz: Kaposi sarcoma | Kaposi's sarcoma
dz: Ewing sarcoma | Ewing's sarcoma
dz: Paget's disease of bone | Paget disease of bone
dz: Bowen's disease | Bowen disease
dz: Merkel cell carcinoma
dz: Hashimoto's thyroiditis | Hashimoto thyroiditis | Hashimoto's
dz: Graves' disease | Graves disease | Grave's disease
dz: Addison's disease | Addison disease | Addisonian crisis
dz: Cushing's syndrome | Cushing syndrome | Cushing's disease
dz: Conn's syndrome | Conn syndrome
dz: Sheehan syndrome | Sheehan's syndrome
dz: Sjögren's syndrome | Sjogren syndrome | Sjögren's
dz: Raynaud's phenomenon | Raynaud phenomenon | Raynaud's
dz: Behçet's disease | Behcet disease
dz: Kawasaki disease
dz: Takayasu arteritis
dz: Buerger's disease | Buerger disease
dz: adult-onset Still's disease | Still's disease | AOSD
dz: Felty syndrome
dz: Goodpasture syndrome
dz: Henoch-Schönlein purpura | Henoch-Schonlein purpura | HSP
dz: Stevens-Johnson syndrome | SJS
dz: Chagas disease | Chagas cardiomyopathy
dz: Hansen's disease
dz: Epstein-Barr virus | EBV
dz: Wolff-Parkinson-White syndrome | WPW | WPW pattern
dz: Brugada syndrome | Brugada pattern
dz: Mobitz type II | Mobitz II | Mobitz I
dz: Wenckebach | Wenckebach phenomenon
dz: Prinzmetal angina | Prinzmetal's angina
dz: Dressler syndrome | Dressler's syndrome
dz: Eisenmenger syndrome
dz: tetralogy of Fallot | TOF
dz: Ebstein anomaly | Ebstein's anomaly
dz: Tietze syndrome
dz: Budd-Chiari syndrome
dz: Gilbert syndrome | Gilbert's syndrome | Gilbert's
dz: Dubin-Johnson syndrome
dz: Wilson's disease | Wilson disease
dz: Zollinger-Ellison syndrome | ZES
dz: Peutz-Jeghers syndrome
dz: Lynch syndrome
dz: Cowden syndrome
dz: von Willebrand disease | VWD | von Willebrand
dz: Bernard-Soulier syndrome
dz: Glanzmann thrombasthenia
dz: Waldenström macroglobulinemia | Waldenstrom's
dz: Krukenberg tumor
dz: Pancoast tumor
dz: Trousseau syndrome
dz: Horner's syndrome | Horner syndrome
dz: Kartagener syndrome
dz: Meigs syndrome
dz: Asherman syndrome
dz: Bartholin cyst | Bartholin's gland abscess
dz: Nabothian cyst | nabothian cysts
dz: Bell's palsy | Bell palsy
dz: Todd's paralysis | Todd paralysis
dz: Wernicke's encephalopathy | Wernicke encephalopathy
dz: Korsakoff syndrome | Wernicke-Korsakoff syndrome
dz: Broca's aphasia | Broca aphasia
dz: Wernicke's aphasia
dz: Erb's palsy | Erb palsy
dz: Klumpke palsy
dz: Brown-Séquard syndrome | Brown-Sequard syndrome
dz: Chiari I malformation | Arnold-Chiari malformation | Chiari malformation
dz: Dandy-Walker malformation
dz: Sturge-Weber syndrome
dz: von Hippel-Lindau disease | VHL
dz: Tay-Sachs disease
dz: Gaucher disease | Gaucher's disease
dz: Niemann-Pick disease
dz: Fabry disease
dz: Pompe disease
dz: Osgood-Schlatter disease | Osgood-Schlatter
dz: Legg-Calvé-Perthes disease | Perthes disease
dz: Sever's disease
dz: Scheuermann's kyphosis | Scheuermann disease
dz: Dupuytren's contracture | Dupuytren contracture
dz: de Quervain's tenosynovitis | De Quervain tenosynovitis
dz: de Quervain's thyroiditis | subacute (de Quervain) thyroiditis
dz: Heberden's nodes | Heberden nodes
dz: Bouchard's nodes | Bouchard nodes
dz: Charcot foot | Charcot arthropathy | Charcot neuroarthropathy
dz: Volkmann's contracture | Volkmann ischemic contracture
dz: Morton's neuroma | Morton neuroma
dz: Baker's cyst | Baker cyst
dz: Ménière's disease | Meniere's disease | Meniere disease
dz: Kienböck's disease | Kienbock disease
dz: Peyronie's disease | Peyronie disease
dz: Ludwig's angina | Ludwig angina
dz: Plummer-Vinson syndrome
dz: Plummer's disease
dz: Riedel's thyroiditis
dz: Dieulafoy lesion | Dieulafoy's lesion
dz: Cameron lesions | Cameron lesion
dz: Curling ulcer | Curling's ulcer
dz: Cushing ulcer
dz: Virchow's node | Virchow node
dz: Ogilvie syndrome | Ogilvie's syndrome
dz: Caroli disease
dz: Klatskin tumor
dz: Mirizzi syndrome
dz: Fournier's gangrene | Fournier gangrene
dz: Whipple's disease | Whipple disease
dz: Munchausen syndrome | Münchausen syndrome
dz: Asperger syndrome | Asperger's
dz: Rett syndrome
dz: Angelman syndrome
dz: Prader-Willi syndrome
dz: Williams syndrome
dz: DiGeorge syndrome
dz: Noonan syndrome
dz: Edwards syndrome
dz: Patau syndrome
dz: Lesch-Nyhan syndrome
dz: Reye syndrome | Reye's syndrome
dz: Löfgren syndrome | Lofgren syndrome
dz: Lambert-Eaton myasthenic syndrome | LEMS
dz: Miller Fisher syndrome | Miller Fisher variant
dz: Ramsay Hunt syndrome
dz: Parinaud syndrome
dz: Wallenberg syndrome
dz: Gerstmann syndrome
dz: Tolosa-Hunt syndrome
dz: Charles Bonnet syndrome
dz: Stokes-Adams attack | Adams-Stokes attack
dz: Libman-Sacks endocarditis
dz: Osler-Weber-Rendu syndrome
dz: Pott's disease | Pott disease
dz: Sydenham's chorea | Sydenham chorea
dz: Jarisch-Herxheimer reaction
dz: Arthus reaction
dz: Churg-Strauss syndrome
dz: Kikuchi disease
dz: Castleman disease
dz: Berger's disease | Berger disease
dz: Alport syndrome
dz: Fanconi anemia
dz: Fanconi syndrome
dz: Bartter syndrome
dz: Gitelman syndrome
dz: Liddle syndrome
dz: Wellens' syndrome | Wellens syndrome | Wellens pattern
dz: Schwartz-Bartter syndrome
dz: Marchiafava-Bignami disease
dz: Waterhouse-Friderichsen syndrome
dz: Richter's hernia | Richter hernia
dz: Amyand hernia | Amyand's hernia
dz: Spigelian hernia
dz: Bochdalek hernia
dz: Morgagni hernia
dz: Kimmelstiel-Wilson disease
dz: Pierre Robin sequence
dz: Potter sequence
dz: Hashimoto encephalopathy
dz: Takotsubo cardiomyopathy
dz: Hurler syndrome
dz: Conn adenoma
dz: Kasabach-Merritt phenomenon
dz: Hartnup disease
proc: Whipple procedure | pancreaticoduodenectomy (Whipple) | Whipple
proc: Nissen fundoplication | laparoscopic Nissen | Nissen
proc: Roux-en-Y gastric bypass | RYGB | Roux-en-Y reconstruction
proc: Billroth II reconstruction | Billroth II | Billroth I
proc: Hartmann's procedure | Hartmann procedure | Hartmann's pouch
proc: Kasai procedure | Kasai portoenterostomy
proc: Lichtenstein repair | Lichtenstein tension-free repair
proc: Shouldice repair
proc: Bassini repair
proc: McVay repair | Cooper ligament repair
proc: Pfannenstiel incision | Pfannenstiel
proc: Kocher incision | collar incision of Kocher
proc: Hasson technique | Hasson trocar
proc: Seldinger technique | modified Seldinger technique
proc: Heller myotomy
proc: Ivor Lewis esophagectomy | Ivor Lewis
proc: McKeown esophagectomy
proc: Puestow procedure
proc: Sistrunk procedure
proc: Mohs surgery | Mohs micrographic surgery | Mohs
proc: Bentall procedure
proc: Fontan procedure | Fontan circulation | Fontan
proc: bidirectional Glenn | Glenn shunt
proc: Blalock-Taussig shunt | BT shunt
proc: Nuss procedure
proc: Ponseti method | Ponseti casting
proc: Bankart repair
proc: Latarjet procedure | Latarjet
proc: Broström repair | Brostrom procedure
proc: Lapidus bunionectomy | Lapidus procedure
proc: Burch colposuspension
proc: McDonald cerclage
proc: Shirodkar cerclage
proc: Bier block
proc: Smith-Petersen approach
proc: Hardinge approach
proc: Kocher-Langenbeck approach
proc: volar approach of Henry | Henry approach
proc: Kerr hysterotomy | low transverse (Kerr) hysterotomy
proc: Lord's procedure
proc: Hill repair
proc: Jatene arterial switch
proc: Rastelli procedure
proc: Bricker ileal conduit | Bricker conduit
proc: Hartmann reversal
proc: Frey procedure
anat: Morison's pouch | Morison pouch
anat: pouch of Douglas
anat: space of Retzius | Retzius space
anat: Calot's triangle | Calot triangle
anat: Hesselbach's triangle | Hesselbach triangle
anat: Scarpa's fascia | Scarpa fascia
anat: Camper's fascia
anat: Gerota's fascia | Gerota fascia
anat: Glisson's capsule
anat: Denonvilliers' fascia
anat: Waldeyer's ring
anat: Wharton's duct | Wharton duct
anat: Stensen's duct | Stensen duct
anat: Eustachian tube | eustachian tube
anat: fallopian tube | Fallopian tubes
anat: Achilles tendon
anat: circle of Willis
anat: Sylvian fissure | sylvian fissure
anat: foramen of Monro
anat: aqueduct of Sylvius
anat: Virchow-Robin spaces
anat: ampulla of Vater
anat: sphincter of Oddi
anat: ligament of Treitz
anat: Poupart's ligament
anat: Cooper's ligaments | Cooper ligament
anat: Berry's ligament | ligament of Berry
anat: Batson's plexus | Batson venous plexus
anat: Adam's apple
anat: Hunter's canal
anat: Alcock's canal | Alcock canal
anat: Guyon's canal | Guyon canal
anat: Lister's tubercle
anat: Chassaignac's tubercle
anat: Erb's point
anat: Meibomian glands | meibomian gland
anat: Schlemm's canal
anat: Descemet's membrane
anat: Bruch's membrane
anat: Tenon's capsule
anat: Wormian bones
anat: tubercle of Zuckerkandl | Zuckerkandl tubercle
anat: Kaplan's cardinal line
anat: Koch's triangle
micro: Kupffer cells
micro: loop of Henle
micro: Bowman's capsule
micro: islets of Langerhans
micro: Purkinje fibers
micro: bundle of His | His bundle
micro: Bachmann's bundle
micro: Peyer's patches
micro: Brunner's glands
micro: Auerbach's plexus | Auerbach plexus
micro: Meissner's plexus | Meissner plexus
micro: Haversian canals
micro: Sharpey's fibers
micro: Broca's area
micro: Wernicke's area
micro: Skene's glands
micro: Cowper's glands
micro: Leydig cells
micro: Sertoli cells
micro: Schwann cells
micro: Langerhans cells
micro: Clara cells
micro: Paneth cells
micro: Betz cells
img: Kerley B lines | Kerley lines
img: Hampton's hump | Hampton hump
img: Westermark sign
img: Rigler's sign | Rigler sign
img: Chilaiditi sign
img: sonographic Murphy's sign | sonographic Murphy sign
img: Schatzki ring
img: Codman triangle
img: Hill-Sachs lesion | Hill-Sachs
img: Bankart lesion | bony Bankart
img: Segond fracture
img: Brodie's abscess
img: Modic type 1 changes | Modic changes
img: Kerckring folds | valvulae conniventes (Kerckring)
img: Pneumatosis? 
fx: Colles' fracture | Colles fracture
fx: Smith's fracture | Smith fracture
fx: Barton's fracture | Barton fracture
fx: Bennett's fracture | Bennett fracture
fx: Rolando fracture
fx: Jones fracture
fx: Monteggia fracture
fx: Galeazzi fracture
fx: Maisonneuve fracture
fx: Chance fracture
fx: Jefferson fracture
fx: Lisfranc injury | Lisfranc fracture-dislocation | Lisfranc
fx: Tillaux fracture
fx: Hoffa fracture
fx: Stener lesion
fx: Pott's fracture
path: Reed-Sternberg cells | Reed-Sternberg
path: Auer rods
path: Howell-Jolly bodies
path: Heinz bodies
path: Döhle bodies | Dohle bodies
path: Mallory-Denk bodies | Mallory bodies
path: Councilman bodies
path: Negri bodies
path: Aschoff bodies
path: Langhans giant cells | Langhans-type giant cells
path: Touton giant cells
path: Call-Exner bodies
path: Schiller-Duval bodies
path: Russell bodies
path: Dutcher bodies
path: Michaelis-Gutmann bodies
path: Civatte bodies
path: Birbeck granules
path: Charcot-Leyden crystals
path: Hürthle cells | Hurthle cell change
path: Pappenheimer bodies
path: Cabot rings
path: Hassall's corpuscles
path: Pick bodies
path: Hirano bodies
path: Rosenthal fibers
path: Verocay bodies
path: Antoni A areas | Antoni A and B areas
path: Homer Wright rosettes
path: Flexner-Wintersteiner rosettes
path: Kamino bodies
path: Gamna-Gandy bodies
path: Kimmelstiel-Wilson nodules
path: Warthin tumor
path: Lewy bodies
path: Orphan? 
stain: Gram stain | Gram-positive cocci | Gram-negative rods
stain: Ziehl-Neelsen stain | Ziehl-Neelsen
stain: Wright-Giemsa stain | Giemsa stain
stain: Papanicolaou stain | Pap smear | Pap
stain: Grocott methenamine silver | Grocott stain
stain: Masson trichrome | Masson's trichrome
stain: Fontana-Masson stain
stain: Warthin-Starry stain
stain: Gomori trichrome
stain: Coombs test | direct Coombs | Coombs
stain: Kleihauer-Betke test | Kleihauer-Betke | KB test
stain: Tzanck smear
stain: Mantoux test | Mantoux
stain: Schilling test
stain: Bielschowsky stain
stain: Congo red? 
dev: Foley catheter | Foley
dev: Swan-Ganz catheter | Swan-Ganz | Swan
dev: Hickman catheter | Hickman line
dev: Groshong catheter
dev: Quinton catheter
dev: Tenckhoff catheter
dev: Ommaya reservoir
dev: Greenfield filter
dev: Sengstaken-Blakemore tube | Blakemore tube
dev: Penrose drain | Penrose
dev: Blake drain | Blake drains
dev: Venturi mask | Venturi
dev: Holter monitor | Holter
dev: Doppler ultrasound | Doppler
dev: Kirschner wires | K-wires | K-wire
dev: Steinmann pin
dev: Thomas splint
dev: Buck's traction | Buck traction
dev: Gardner-Wells tongs
dev: Passy-Muir valve | Passy-Muir speaking valve
dev: Shiley tracheostomy tube | Shiley
dev: Mayfield head holder | Mayfield pins
dev: Heimlich valve
dev: Fogarty catheter | Fogarty balloon
dev: Tuohy needle
dev: Quincke spinal needle | Quincke needle
dev: Whitacre needle
dev: Sprotte needle
dev: Veress needle
dev: Luer lock | Luer-Lok
dev: Bakri balloon
dev: Ryle's tube
dev: Levin tube
dev: Pavlik harness
dev: Denis Browne bar
dev: Jewett brace
dev: Sarmiento brace
dev: Hegar dilators | Hegar dilator
dev: Ambu bag
dev: Magill forceps
dev: Guedel airway
dev: Dobhoff tube | Dobhoff
instr: Yankauer suction | Yankauer
instr: Miller blade | Miller 2 blade
instr: Macintosh blade | Mac 3 blade | Mac 4 blade
instr: Deaver retractor | Deaver
instr: Balfour retractor
instr: Richardson retractor
instr: Weitlaner retractor
instr: Bookwalter retractor
instr: Kelly clamp
instr: Kocher clamp
instr: Allis clamp
instr: Babcock clamp
instr: Metzenbaum scissors | Metzenbaum
instr: DeBakey forceps
instr: Adson forceps
instr: Bovie electrocautery | Bovie
instr: Frazier suction tip | Frazier tip
instr: Poole suction
instr: Toomey syringe
instr: Kerrison rongeur
instr: Cobb elevator
instr: Freer elevator
instr: Hohmann retractor | Hohmann
instr: Gelpi retractor
ob: Braxton Hicks contractions | Braxton-Hicks
ob: Naegele's rule | Naegele rule
ob: Ritgen maneuver
ob: Zavanelli maneuver
ob: Mauriceau maneuver
ob: Couvelaire uterus
ob: Bandl's ring
pos: Trendelenburg position | reverse Trendelenburg | Trendelenburg
pos: Fowler's position | semi-Fowler's | high Fowler's
pos: Sims' position | left lateral Sims
pos: Rose position
eq: Cockcroft-Gault equation | Cockcroft-Gault | Cockcroft-Gault CrCl
eq: Friedewald equation | Friedewald
eq: Henderson-Hasselbalch equation
eq: Fick principle | Fick cardiac output | Fick
eq: Simpson's biplane method | Simpson's biplane | modified Simpson's
eq: Bernoulli equation | modified Bernoulli
eq: Mosteller formula
eq: Bruce protocol | modified Bruce protocol
eq: Frank-Starling mechanism | Frank-Starling curve
eq: Sgarbossa criteria | modified Sgarbossa criteria
eq: Winters' formula | Winter's formula
eq: Light's criteria | Light criteria
eq: Poiseuille's law
eq: Korotkoff phase V
eq: Hodges formula | Bazett's formula | Bazett correction
eq: Fridericia correction
eq: Somogyi effect | Somogyi
eq: Duke Treadmill Score? 
eq: Holliday-Segar method
eq: Devine formula
eq: Ranson's criteria | Ranson criteria
eq: Centor criteria | modified Centor (McIsaac) criteria
eq: Jones criteria
eq: Amsel criteria
eq: Rome IV criteria? 
eq: Wells criteria | Wells' criteria
eq: Alvarado score
eq: Caprini score
eq: Child-Pugh classification | Child-Pugh
eq: Hinchey classification | Hinchey
eq: Forrest classification
eq: Salter-Harris classification | Salter-Harris
eq: Garden classification
eq: Weber classification | Danis-Weber
eq: Schatzker classification
eq: Neer classification
eq: Gustilo-Anderson classification | Gustilo
eq: Le Fort classification
eq: Breslow thickness | Breslow depth
eq: Clark level
eq: Ann? 
"""


def _parse_eponyms():
    entries = []
    seen = set()
    for line in EPONYM_DATA.strip().splitlines():
        line = line.strip()
        if not line or "?" in line:
            continue
        cat, rest = line.split(":", 1)
        forms = [f.strip() for f in rest.split("|") if f.strip()]
        key = forms[0]
        assert key not in seen, key
        seen.add(key)
        entries.append((key, cat.strip(), forms))
    return entries


EP_LIST = _parse_eponyms()
EP_BY_KEY = {e[0]: e for e in EP_LIST}
ep_count = Counter()
ep_forms_used = Counter()

EP_CTX = {
    "sign": ["{E} positive", "{E} negative", "negative {E}", "no {E}", "(+) {E}",
             "{E} absent", "{E} present", "equivocal {E}", "{E} elicited"],
    "test": ["{E} positive", "{E} negative", "{E} performed, negative", "positive {E}",
             "{E} reproduces symptoms", "{E} equivocal"],
    "maneuver": ["{E} performed", "{E} attempted", "{E} without effect", "{E} successful"],
    "triad": ["no {E}", "{E} present", "features of {E}", "{E} not met", "concerning for {E}"],
    "resp": ["{E} noted", "no {E}", "{E} observed overnight", "intermittent {E}"],
    "murmur": ["{E} appreciated", "no {E}", "soft {E}", "possible {E}"],
    "dz": ["h/o {E}", "known {E}", "{E}", "suspected {E}", "r/o {E}", "history of {E}",
           "{E}, stable", "{E} (chronic)"],
    "proc": ["s/p {E}", "{E}", "planned {E}", "status post {E}", "prior {E}"],
    "anat": ["{E} unremarkable", "{E} identified", "{E} intact", "normal {E}",
             "{E} without abnormality"],
    "micro": ["involving the {E}", "{E}", "within the {E}"],
    "img": ["{E} present", "no {E}", "{E} noted", "subtle {E}", "no evidence of {E}"],
    "fx": ["{E}", "suspected {E}", "healed {E}", "no {E}", "nondisplaced {E}"],
    "path": ["{E} identified", "no {E} seen", "rare {E}", "scattered {E}", "{E} present"],
    "stain": ["{E} negative", "{E} positive", "{E} performed", "{E} pending"],
    "dev": ["{E} in place", "{E} removed", "{E} placed", "{E} intact", "{E} clean, dry, intact"],
    "instr": ["{E}", "using {E}", "with the {E}"],
    "ob": ["{E}", "{E} noted", "{E} performed"],
    "pos": ["in {E}", "placed in {E}", "{E}"],
    "eq": ["per {E}", "{E}", "using the {E}", "by {E}"],
}


def _use_ep(key, form, case):
    ep_count[key] += 1
    s = style(form, case)
    ep_forms_used[s] += 1
    return K("EPONYM", s)


FORM2KEY = {}
for _e in EP_LIST:
    for _f in _e[2]:
        FORM2KEY.setdefault(_f, _e[0])


def ep_key(key, case=None, form=None):
    if key not in EP_BY_KEY:
        form = key
        key = FORM2KEY[key]
    entry = EP_BY_KEY[key]
    f = form if form is not None else ch(entry[2])
    return _use_ep(key, f, case)


def ep_pick(cats):
    cats = cats.split(",") if isinstance(cats, str) else cats
    cands = [e for e in EP_LIST if e[1] in cats]
    assert cands, cats
    m = min(ep_count[e[0]] for e in cands)
    pool = [e for e in cands if ep_count[e[0]] <= m]
    return ch(pool)


def ep_rand(cats, case=None):
    e = ep_pick(cats)
    return _use_ep(e[0], ch(e[2]), case)


def ep_ctx(cats, case=None, neg=False):
    e = ep_pick(cats)
    ctxs = EP_CTX[e[1]]
    if neg:
        ctxs = [c for c in ctxs if any(w in c for w in ("no ", "negative", "absent"))] or ctxs
    ctx = ch(ctxs)
    form = ch(e[2])
    if case is None and ctx.startswith("{E}") and maybe(0.3):
        case = "cap"
    tok = _use_ep(e[0], form, case)
    out = ctx.replace("{E}", tok)
    return out


# ------------------------------------------------------------------ drugs
# key: (generic, brand or None, doses, route, freqs)
MEDS = {
    "apixaban": ("apixaban", "Eliquis", ["5 mg", "2.5 mg"], "PO", ["BID", "twice daily"]),
    "rivaroxaban": ("rivaroxaban", "Xarelto", ["20 mg", "15 mg"], "PO", ["daily with supper", "daily"]),
    "warfarin": ("warfarin", "Coumadin", ["5 mg", "2.5 mg", "7.5 mg", "3 mg"], "PO", ["daily", "nightly"]),
    "enoxaparin": ("enoxaparin", "Lovenox", ["40 mg", "1 mg/kg", "80 mg"], "SC", ["daily", "q12h"]),
    "heparin": ("heparin", None, ["5,000 units", "7,500 units"], "SC", ["q8h", "q12h"]),
    "clopidogrel": ("clopidogrel", "Plavix", ["75 mg"], "PO", ["daily"]),
    "ticagrelor": ("ticagrelor", "Brilinta", ["90 mg"], "PO", ["BID"]),
    "aspirin": ("aspirin", None, ["81 mg", "325 mg"], "PO", ["daily"]),
    "atorvastatin": ("atorvastatin", "Lipitor", ["40 mg", "80 mg", "20 mg"], "PO", ["nightly", "daily"]),
    "rosuvastatin": ("rosuvastatin", "Crestor", ["20 mg", "10 mg", "40 mg"], "PO", ["daily"]),
    "simvastatin": ("simvastatin", "Zocor", ["20 mg", "40 mg"], "PO", ["nightly"]),
    "ezetimibe": ("ezetimibe", "Zetia", ["10 mg"], "PO", ["daily"]),
    "lisinopril": ("lisinopril", "Zestril", ["10 mg", "20 mg", "40 mg", "5 mg"], "PO", ["daily"]),
    "losartan": ("losartan", "Cozaar", ["50 mg", "100 mg", "25 mg"], "PO", ["daily"]),
    "amlodipine": ("amlodipine", "Norvasc", ["5 mg", "10 mg", "2.5 mg"], "PO", ["daily"]),
    "metoprolol succinate": ("metoprolol succinate", "Toprol XL", ["25 mg", "50 mg", "100 mg"], "PO", ["daily"]),
    "metoprolol tartrate": ("metoprolol tartrate", "Lopressor", ["25 mg", "12.5 mg", "50 mg"], "PO", ["BID"]),
    "carvedilol": ("carvedilol", "Coreg", ["3.125 mg", "6.25 mg", "12.5 mg", "25 mg"], "PO", ["BID with meals"]),
    "furosemide": ("furosemide", "Lasix", ["20 mg", "40 mg", "80 mg"], "PO", ["daily", "BID"]),
    "torsemide": ("torsemide", None, ["20 mg", "40 mg"], "PO", ["daily"]),
    "bumetanide": ("bumetanide", "Bumex", ["1 mg", "2 mg"], "PO", ["daily", "BID"]),
    "spironolactone": ("spironolactone", "Aldactone", ["25 mg", "12.5 mg", "50 mg", "100 mg"], "PO", ["daily"]),
    "hydrochlorothiazide": ("hydrochlorothiazide", None, ["12.5 mg", "25 mg"], "PO", ["daily"]),
    "chlorthalidone": ("chlorthalidone", None, ["12.5 mg", "25 mg"], "PO", ["daily"]),
    "hydralazine": ("hydralazine", None, ["25 mg", "50 mg"], "PO", ["TID"]),
    "isosorbide mononitrate": ("isosorbide mononitrate", "Imdur", ["30 mg", "60 mg"], "PO", ["daily"]),
    "sacubitril-valsartan": ("sacubitril-valsartan", "Entresto", ["24/26 mg", "49/51 mg", "97/103 mg"], "PO", ["BID"]),
    "empagliflozin": ("empagliflozin", "Jardiance", ["10 mg", "25 mg"], "PO", ["daily"]),
    "dapagliflozin": ("dapagliflozin", "Farxiga", ["10 mg"], "PO", ["daily"]),
    "metformin": ("metformin", "Glucophage", ["500 mg", "1000 mg", "850 mg"], "PO", ["BID with meals"]),
    "metformin ER": ("metformin ER", None, ["500 mg", "750 mg", "1,000 mg"], "PO", ["daily with supper"]),
    "glipizide": ("glipizide", "Glucotrol", ["5 mg", "10 mg"], "PO", ["daily before breakfast"]),
    "sitagliptin": ("sitagliptin", "Januvia", ["100 mg", "50 mg"], "PO", ["daily"]),
    "semaglutide": ("semaglutide", "Ozempic", ["0.25 mg", "0.5 mg", "1 mg", "2 mg"], "SC", ["weekly", "once weekly"]),
    "dulaglutide": ("dulaglutide", "Trulicity", ["0.75 mg", "1.5 mg", "3 mg"], "SC", ["weekly"]),
    "tirzepatide": ("tirzepatide", "Mounjaro", ["2.5 mg", "5 mg", "7.5 mg", "10 mg"], "SC", ["weekly"]),
    "liraglutide": ("liraglutide", "Victoza", ["0.6 mg", "1.2 mg", "1.8 mg"], "SC", ["daily"]),
    "insulin glargine": ("insulin glargine", "Lantus", ["20 units", "14 units", "32 units", "10 units"], "SC", ["nightly", "at bedtime", "daily"]),
    "insulin lispro": ("insulin lispro", "Humalog", ["4 units", "6 units", "8 units"], "SC", ["TID AC", "with meals"]),
    "insulin aspart": ("insulin aspart", "NovoLog", ["5 units", "3 units"], "SC", ["TID with meals"]),
    "insulin degludec": ("insulin degludec", "Tresiba", ["18 units", "24 units"], "SC", ["daily"]),
    "levothyroxine": ("levothyroxine", "Synthroid", ["50 mcg", "75 mcg", "88 mcg", "100 mcg", "112 mcg", "125 mcg"], "PO", ["daily on an empty stomach", "daily"]),
    "methimazole": ("methimazole", "Tapazole", ["10 mg", "20 mg"], "PO", ["daily", "BID"]),
    "prednisone": ("prednisone", None, ["40 mg", "20 mg", "10 mg", "5 mg"], "PO", ["daily"]),
    "methylprednisolone": ("methylprednisolone", "Solu-Medrol", ["40 mg", "125 mg", "60 mg"], "IV", ["q8h", "q12h"]),
    "dexamethasone": ("dexamethasone", "Decadron", ["6 mg", "4 mg", "10 mg"], "IV", ["daily", "q6h"]),
    "hydrocortisone": ("hydrocortisone", "Solu-Cortef", ["100 mg", "50 mg"], "IV", ["q8h", "q6h"]),
    "pantoprazole": ("pantoprazole", "Protonix", ["40 mg", "80 mg"], "PO", ["daily", "BID"]),
    "omeprazole": ("omeprazole", "Prilosec", ["20 mg", "40 mg"], "PO", ["daily before breakfast"]),
    "famotidine": ("famotidine", "Pepcid", ["20 mg", "40 mg"], "PO", ["BID", "nightly"]),
    "ondansetron": ("ondansetron", "Zofran", ["4 mg", "8 mg"], "IV", ["q8h PRN nausea", "q6h PRN"]),
    "metoclopramide": ("metoclopramide", "Reglan", ["10 mg", "5 mg"], "IV", ["q6h PRN", "before meals"]),
    "docusate": ("docusate", "Colace", ["100 mg"], "PO", ["BID"]),
    "senna": ("senna", "Senokot", ["8.6 mg", "17.2 mg"], "PO", ["nightly"]),
    "polyethylene glycol 3350": ("polyethylene glycol 3350", "MiraLAX", ["17 g"], "PO", ["daily", "daily PRN"]),
    "lactulose": ("lactulose", None, ["20 g", "30 mL"], "PO", ["TID, titrate to 2-3 BMs/day"]),
    "rifaximin": ("rifaximin", "Xifaxan", ["550 mg"], "PO", ["BID"]),
    "acetaminophen": ("acetaminophen", "Tylenol", ["650 mg", "1,000 mg", "500 mg"], "PO", ["q6h PRN pain", "q8h"]),
    "ibuprofen": ("ibuprofen", "Motrin", ["400 mg", "600 mg", "800 mg"], "PO", ["q6h PRN", "TID with food"]),
    "naproxen": ("naproxen", "Naprosyn", ["500 mg", "250 mg"], "PO", ["BID with food"]),
    "ketorolac": ("ketorolac", "Toradol", ["15 mg", "30 mg"], "IV", ["q6h x 48 hours"]),
    "oxycodone": ("oxycodone", "Roxicodone", ["5 mg", "10 mg"], "PO", ["q4h PRN severe pain"]),
    "hydromorphone": ("hydromorphone", "Dilaudid", ["0.5 mg", "1 mg", "2 mg"], "IV", ["q3h PRN"]),
    "morphine": ("morphine", None, ["2 mg", "4 mg"], "IV", ["q4h PRN"]),
    "fentanyl": ("fentanyl", None, ["25 mcg", "50 mcg"], "IV", ["q1h PRN"]),
    "tramadol": ("tramadol", "Ultram", ["50 mg"], "PO", ["q6h PRN"]),
    "gabapentin": ("gabapentin", "Neurontin", ["300 mg", "100 mg", "600 mg"], "PO", ["TID", "nightly"]),
    "pregabalin": ("pregabalin", "Lyrica", ["75 mg", "50 mg"], "PO", ["BID"]),
    "duloxetine": ("duloxetine", "Cymbalta", ["30 mg", "60 mg"], "PO", ["daily"]),
    "sertraline": ("sertraline", "Zoloft", ["50 mg", "100 mg", "25 mg"], "PO", ["daily"]),
    "escitalopram": ("escitalopram", "Lexapro", ["10 mg", "20 mg"], "PO", ["daily"]),
    "fluoxetine": ("fluoxetine", "Prozac", ["20 mg", "40 mg"], "PO", ["daily"]),
    "bupropion XL": ("bupropion XL", "Wellbutrin XL", ["150 mg", "300 mg"], "PO", ["daily"]),
    "trazodone": ("trazodone", None, ["50 mg", "100 mg"], "PO", ["nightly PRN insomnia"]),
    "mirtazapine": ("mirtazapine", "Remeron", ["15 mg", "7.5 mg"], "PO", ["nightly"]),
    "quetiapine": ("quetiapine", "Seroquel", ["25 mg", "50 mg", "100 mg"], "PO", ["nightly"]),
    "olanzapine": ("olanzapine", "Zyprexa", ["5 mg", "2.5 mg"], "PO", ["nightly"]),
    "haloperidol": ("haloperidol", "Haldol", ["0.5 mg", "1 mg", "2 mg"], "IV", ["q6h PRN agitation"]),
    "lorazepam": ("lorazepam", "Ativan", ["0.5 mg", "1 mg", "2 mg"], "IV", ["q4h PRN"]),
    "alprazolam": ("alprazolam", "Xanax", ["0.25 mg", "0.5 mg"], "PO", ["TID PRN anxiety"]),
    "clonazepam": ("clonazepam", "Klonopin", ["0.5 mg", "1 mg"], "PO", ["BID"]),
    "zolpidem": ("zolpidem", "Ambien", ["5 mg"], "PO", ["nightly PRN"]),
    "melatonin": ("melatonin", None, ["3 mg", "5 mg"], "PO", ["nightly"]),
    "levetiracetam": ("levetiracetam", "Keppra", ["500 mg", "750 mg", "1,000 mg"], "PO", ["BID"]),
    "lamotrigine": ("lamotrigine", "Lamictal", ["25 mg", "100 mg", "200 mg"], "PO", ["BID"]),
    "carbidopa-levodopa": ("carbidopa-levodopa", "Sinemet", ["25/100 mg"], "PO", ["TID"]),
    "donepezil": ("donepezil", "Aricept", ["5 mg", "10 mg"], "PO", ["nightly"]),
    "memantine": ("memantine", "Namenda", ["10 mg", "5 mg"], "PO", ["BID"]),
    "tamsulosin": ("tamsulosin", "Flomax", ["0.4 mg"], "PO", ["nightly"]),
    "finasteride": ("finasteride", "Proscar", ["5 mg"], "PO", ["daily"]),
    "oxybutynin": ("oxybutynin", "Ditropan XL", ["5 mg", "10 mg"], "PO", ["daily"]),
    "allopurinol": ("allopurinol", "Zyloprim", ["100 mg", "300 mg"], "PO", ["daily"]),
    "colchicine": ("colchicine", "Colcrys", ["0.6 mg"], "PO", ["daily", "BID"]),
    "montelukast": ("montelukast", "Singulair", ["10 mg"], "PO", ["nightly"]),
    "cetirizine": ("cetirizine", "Zyrtec", ["10 mg"], "PO", ["daily"]),
    "loratadine": ("loratadine", "Claritin", ["10 mg"], "PO", ["daily"]),
    "cephalexin": ("cephalexin", "Keflex", ["500 mg"], "PO", ["QID", "q6h"]),
    "cefazolin": ("cefazolin", "Ancef", ["2 g", "1 g"], "IV", ["q8h"]),
    "ceftriaxone": ("ceftriaxone", "Rocephin", ["1 g", "2 g"], "IV", ["daily", "q24h"]),
    "cefepime": ("cefepime", None, ["2 g", "1 g"], "IV", ["q8h", "q12h"]),
    "piperacillin-tazobactam": ("piperacillin-tazobactam", "Zosyn", ["4.5 g", "3.375 g"], "IV", ["q6h", "q8h extended infusion"]),
    "vancomycin": ("vancomycin", None, ["1,250 mg", "1 g", "15 mg/kg", "1,500 mg"], "IV", ["q12h", "q24h per pharmacy"]),
    "meropenem": ("meropenem", "Merrem", ["1 g", "500 mg"], "IV", ["q8h"]),
    "azithromycin": ("azithromycin", "Zithromax", ["500 mg", "250 mg"], "PO", ["daily"]),
    "doxycycline": ("doxycycline", None, ["100 mg"], "PO", ["BID"]),
    "levofloxacin": ("levofloxacin", "Levaquin", ["750 mg", "500 mg"], "PO", ["daily"]),
    "ciprofloxacin": ("ciprofloxacin", "Cipro", ["500 mg", "250 mg"], "PO", ["BID"]),
    "nitrofurantoin": ("nitrofurantoin", "Macrobid", ["100 mg"], "PO", ["BID"]),
    "metronidazole": ("metronidazole", "Flagyl", ["500 mg"], "PO", ["q8h", "BID"]),
    "sulfamethoxazole-trimethoprim": ("sulfamethoxazole-trimethoprim", "Bactrim DS", ["800/160 mg"], "PO", ["BID"]),
    "amoxicillin-clavulanate": ("amoxicillin-clavulanate", "Augmentin", ["875/125 mg"], "PO", ["BID"]),
    "fluconazole": ("fluconazole", "Diflucan", ["150 mg", "200 mg", "400 mg"], "PO", ["daily", "once"]),
    "valacyclovir": ("valacyclovir", "Valtrex", ["1 g", "500 mg"], "PO", ["BID", "TID"]),
    "oseltamivir": ("oseltamivir", "Tamiflu", ["75 mg"], "PO", ["BID x 5 days"]),
    "nirmatrelvir-ritonavir": ("nirmatrelvir-ritonavir", "Paxlovid", ["300/100 mg"], "PO", ["BID x 5 days"]),
    "potassium chloride": ("potassium chloride", "Klor-Con", ["20 mEq", "40 mEq", "10 mEq"], "PO", ["daily", "BID", "once"]),
    "magnesium oxide": ("magnesium oxide", "Mag-Ox 400", ["400 mg"], "PO", ["daily", "BID"]),
    "ferrous sulfate": ("ferrous sulfate", None, ["325 mg"], "PO", ["daily", "every other day"]),
    "cholecalciferol": ("cholecalciferol", None, ["1,000 units", "2,000 units", "50,000 units"], "PO", ["daily", "weekly"]),
    "cyanocobalamin": ("cyanocobalamin", None, ["1,000 mcg"], "PO", ["daily"]),
    "folic acid": ("folic acid", None, ["1 mg"], "PO", ["daily"]),
    "thiamine": ("thiamine", None, ["100 mg", "500 mg"], "IV", ["daily", "TID"]),
    "alendronate": ("alendronate", "Fosamax", ["70 mg"], "PO", ["weekly"]),
    "amiodarone": ("amiodarone", "Pacerone", ["200 mg", "400 mg"], "PO", ["daily", "BID"]),
    "diltiazem": ("diltiazem", "Cardizem CD", ["120 mg", "180 mg", "240 mg"], "PO", ["daily"]),
    "digoxin": ("digoxin", "Lanoxin", ["0.125 mg", "0.0625 mg"], "PO", ["daily"]),
    "nitroglycerin": ("nitroglycerin", "Nitrostat", ["0.4 mg"], "SL", ["q5min PRN chest pain, max 3 doses"]),
    "buprenorphine-naloxone": ("buprenorphine-naloxone", "Suboxone", ["8/2 mg"], "SL", ["daily", "BID"]),
    "naloxone": ("naloxone", "Narcan", ["4 mg"], "intranasal", ["PRN suspected overdose"]),
    "varenicline": ("varenicline", "Chantix", ["0.5 mg", "1 mg"], "PO", ["BID"]),
    "adalimumab": ("adalimumab", "Humira", ["40 mg"], "SC", ["every 2 weeks"]),
    "dupilumab": ("dupilumab", "Dupixent", ["300 mg"], "SC", ["every 2 weeks"]),
    "ustekinumab": ("ustekinumab", "Stelara", ["90 mg"], "SC", ["every 8 weeks"]),
    "etanercept": ("etanercept", "Enbrel", ["50 mg"], "SC", ["weekly"]),
    "denosumab": ("denosumab", "Prolia", ["60 mg"], "SC", ["every 6 months"]),
    "hydroxychloroquine": ("hydroxychloroquine", "Plaquenil", ["200 mg", "400 mg"], "PO", ["daily"]),
    "methotrexate": ("methotrexate", None, ["15 mg", "20 mg"], "PO", ["weekly"]),
    "anastrozole": ("anastrozole", "Arimidex", ["1 mg"], "PO", ["daily"]),
    "tamoxifen": ("tamoxifen", None, ["20 mg"], "PO", ["daily"]),
    "sumatriptan": ("sumatriptan", "Imitrex", ["50 mg", "100 mg"], "PO", ["PRN migraine, may repeat in 2 h"]),
    "topiramate": ("topiramate", "Topamax", ["25 mg", "50 mg"], "PO", ["BID"]),
    "cyclobenzaprine": ("cyclobenzaprine", "Flexeril", ["5 mg", "10 mg"], "PO", ["TID PRN spasm"]),
    "tizanidine": ("tizanidine", "Zanaflex", ["2 mg", "4 mg"], "PO", ["q8h PRN"]),
    "baclofen": ("baclofen", None, ["10 mg", "5 mg"], "PO", ["TID"]),
    "ropinirole": ("ropinirole", "Requip", ["0.25 mg", "0.5 mg"], "PO", ["nightly"]),
    "propranolol": ("propranolol", "Inderal LA", ["20 mg", "60 mg"], "PO", ["BID", "q6h"]),
    "tolvaptan": ("tolvaptan", "Samsca", ["15 mg"], "PO", ["daily"]),
    "octreotide": ("octreotide", "Sandostatin", ["50 mcg"], "IV", ["bolus then 50 mcg/hr"]),
    "sucralfate": ("sucralfate", "Carafate", ["1 g"], "PO", ["QID"]),
    "fludrocortisone": ("fludrocortisone", None, ["0.1 mg"], "PO", ["daily"]),
    "evolocumab": ("evolocumab", "Repatha", ["140 mg"], "SC", ["every 2 weeks"]),
}

OTC = ["Tylenol Extra Strength", "Advil Liqui-Gels", "Aleve", "Mucinex DM", "Claritin-D",
       "Zyrtec", "Pepcid AC", "Prilosec OTC", "MiraLAX", "Benadryl Allergy", "Excedrin Migraine",
       "Sudafed PE", "Dulcolax", "Imodium A-D", "Tums Ultra Strength", "Robitussin DM",
       "Flonase Sensimist", "Nicorette gum", "NicoDerm CQ", "Senokot-S", "Colace", "Gas-X",
       "Metamucil", "Allegra-D 12 Hour", "Zyrtec-D", "Tylenol PM", "Advil PM", "Aleve PM",
       "Voltaren Arthritis Pain gel", "Preparation H", "Lactaid", "Nasacort Allergy 24HR",
       "Xyzal Allergy 24HR", "Bayer Low Dose aspirin", "Ecotrin", "Centrum Silver",
       "Alka-Seltzer Plus", "DayQuil", "NyQuil", "Afrin", "Debrox", "Lotrimin AF",
       "Cortizone-10", "Neosporin", "Bengay", "Pepto-Bismol", "Maalox", "Mylanta",
       "Zantac 360", "Unisom SleepTabs", "ZzzQuil", "Dramamine", "Bonine", "Coricidin HBP",
       "Emergen-C", "Icy Hot", "Mucinex Fast-Max", "Tylenol 8 HR Arthritis Pain"]

INHALERS = ["ProAir HFA", "Ventolin HFA", "albuterol HFA", "Symbicort", "Advair Diskus",
            "Advair HFA", "Breo Ellipta", "Trelegy Ellipta", "Anoro Ellipta", "Incruse Ellipta",
            "Spiriva HandiHaler", "Spiriva Respimat", "Stiolto Respimat", "Combivent Respimat",
            "Flovent HFA", "Pulmicort Flexhaler", "Qvar RediHaler", "Dulera", "Arnuity Ellipta",
            "Xopenex HFA", "Atrovent HFA", "Breztri Aerosphere", "Wixela Inhub", "AirDuo RespiClick",
            "Airsupra", "budesonide-formoterol", "fluticasone-salmeterol"]

PENS = ["Lantus SoloStar", "Basaglar KwikPen", "Toujeo SoloStar", "Toujeo Max SoloStar",
        "Tresiba FlexTouch", "Levemir FlexTouch", "Semglee pen", "Humalog KwikPen",
        "Humalog Junior KwikPen", "Admelog SoloStar", "NovoLog FlexPen", "Fiasp FlexTouch",
        "Lyumjev KwikPen", "Apidra SoloStar", "Humulin R U-500 KwikPen", "Humulin N KwikPen",
        "Humulin 70/30 KwikPen", "NovoLog Mix 70/30 FlexPen", "Soliqua 100/33",
        "Xultophy 100/3.6", "Rezvoglar KwikPen", "insulin glargine-yfgn"]
PEN_BASAL = [p for p in PENS if any(w in p for w in ("Lantus", "Basaglar", "Toujeo", "Tresiba", "Levemir", "Semglee", "Rezvoglar", "glargine"))]
PEN_BOLUS = [p for p in PENS if any(w in p for w in ("Humalog", "Admelog", "NovoLog FlexPen", "Fiasp", "Lyumjev", "Apidra"))]

COMBOS = ["Augmentin", "amoxicillin-clavulanate", "Bactrim DS", "sulfamethoxazole-trimethoprim",
          "Norco", "hydrocodone-acetaminophen", "Percocet", "oxycodone-acetaminophen",
          "Entresto", "sacubitril/valsartan", "Janumet XR", "sitagliptin-metformin", "Zosyn",
          "piperacillin-tazobactam", "Sinemet", "carbidopa/levodopa", "Vytorin", "Hyzaar",
          "losartan-hydrochlorothiazide", "Lotrel", "Exforge", "Suboxone", "Paxlovid",
          "Biktarvy", "Descovy", "Truvada", "Epclusa", "Mavyret", "Combigan", "Cosopt",
          "DuoNeb", "ipratropium-albuterol", "Fioricet", "Tylenol with Codeine #3", "Lomotil",
          "Glyxambi", "Synjardy", "Xigduo XR", "Jentadueto", "Caduet", "Tribenzor", "Ziac",
          "Maxzide", "Treximet", "Zubsolv", "Contrave", "Adderall XR", "Symbyax", "Stalevo"]

NEAR_NAME_DRUGS = ["Allegra", "Lyrica", "Ella", "Evista", "Valium", "Cialis", "Lupron Depot",
                   "Tessalon Perles", "Flomax", "Maxalt", "Sonata", "Latuda", "Rexulti",
                   "Ingrezza", "Otezla", "Belsomra", "Estrace", "Addyi", "Ilaris", "Jublia",
                   "Trintellix", "Vivitrol", "Nexium", "Aimovig", "Nurtec ODT", "Xeljanz",
                   "Rinvoq", "Skyrizi", "Cosentyx", "Taltz", "Tremfya", "Kevzara"]


def med_name(key, mode=None):
    if key not in MEDS:
        return K("DRUG", key)
    g, b, *_ = MEDS[key]
    mode = mode or ch(["g", "g", "b", "gb", "bg"])
    if b is None or mode == "g":
        return K("DRUG", g)
    if mode == "b":
        return K("DRUG", b)
    if mode == "gb":
        return K("DRUG", g) + " (" + K("DRUG", b) + ")"
    return K("DRUG", b) + " (" + K("DRUG", g) + ")"


def med(key, mode=None, route=True, freq=True, dose=None):
    g, b, doses, rt, freqs = MEDS[key]
    s = med_name(key, mode) + " " + U(dose or ch(doses))
    if route:
        s += " " + rt
    if freq:
        s += " " + ch(freqs)
    return s


# ------------------------------------------------------------------ labs
# key: (names, lo, hi, decimals, units, loinc)
LABS = {
    "Na": (["Na", "sodium", "Na+"], 124, 147, 0, ["mmol/L", "mEq/L"], "2951-2"),
    "K": (["K", "potassium", "K+"], 2.9, 6.1, 1, ["mmol/L", "mEq/L"], "2823-3"),
    "Cl": (["Cl", "chloride"], 94, 111, 0, ["mmol/L", "mEq/L"], "2075-0"),
    "HCO3": (["HCO3", "bicarbonate", "CO2", "bicarb"], 12, 31, 0, ["mmol/L", "mEq/L"], "1963-8"),
    "BUN": (["BUN", "urea nitrogen"], 7, 68, 0, ["mg/dL"], "3094-0"),
    "Cr": (["Cr", "creatinine", "SCr", "Creat"], 0.6, 4.6, 2, ["mg/dL"], "2160-0"),
    "eGFR": (["eGFR", "estimated GFR"], 14, 96, 0, ["mL/min/1.73m2", "mL/min/1.73 m2"], "62238-1"),
    "glucose": (["glucose", "BG", "POC glucose", "FSBG", "Glu"], 62, 412, 0, ["mg/dL"], "2345-7"),
    "A1c": (["HbA1c", "A1c", "hemoglobin A1c", "Hgb A1c"], 5.4, 11.9, 1, ["%"], "4548-4"),
    "Hgb": (["Hgb", "hemoglobin", "Hb", "HGB"], 6.6, 15.8, 1, ["g/dL"], "718-7"),
    "Hct": (["Hct", "hematocrit"], 21, 47, 0, ["%"], "4544-3"),
    "WBC": (["WBC", "white count"], 2.1, 24.8, 1, ["K/uL", "x10^3/uL", "10*3/uL"], "6690-2"),
    "Plt": (["Plt", "platelets", "PLT"], 42, 488, 0, ["K/uL", "x10^3/uL"], "777-3"),
    "Mg": (["Mg", "magnesium"], 1.2, 2.7, 1, ["mg/dL"], "19123-9"),
    "Phos": (["Phos", "phosphorus"], 1.6, 6.2, 1, ["mg/dL"], "2777-1"),
    "Ca": (["Ca", "calcium"], 7.4, 11.6, 1, ["mg/dL"], "17861-6"),
    "ALT": (["ALT", "SGPT"], 11, 420, 0, ["U/L", "IU/L"], "1742-6"),
    "AST": (["AST", "SGOT"], 12, 460, 0, ["U/L", "IU/L"], "1920-8"),
    "ALP": (["alk phos", "ALP", "alkaline phosphatase"], 38, 440, 0, ["U/L"], "6768-6"),
    "Tbili": (["T bili", "total bilirubin", "TBili", "bilirubin"], 0.3, 8.8, 1, ["mg/dL"], "1975-2"),
    "Alb": (["albumin", "Alb"], 1.8, 4.7, 1, ["g/dL"], "1751-7"),
    "INR": (["INR"], 0.9, 4.9, 1, [], "6301-6"),
    "PT": (["PT", "prothrombin time"], 11.0, 38.0, 1, ["sec", "s"], "5902-2"),
    "aPTT": (["aPTT", "PTT"], 24.0, 96.0, 1, ["sec", "seconds"], "14979-9"),
    "TnI": (["troponin I", "TnI", "trop I"], 0.01, 4.4, 2, ["ng/mL"], "10839-9"),
    "hsTnI": (["hs-TnI", "hs-troponin I", "high-sensitivity troponin I", "hsTnI"], 3, 1850, 0, ["ng/L"], "89579-7"),
    "BNP": (["BNP"], 35, 2900, 0, ["pg/mL"], "30934-4"),
    "NTproBNP": (["NT-proBNP", "NT-pro BNP"], 120, 14800, 0, ["pg/mL"], "33762-6"),
    "lactate": (["lactate", "lactic acid", "LA"], 0.7, 7.8, 1, ["mmol/L"], "2524-7"),
    "PCT": (["procalcitonin", "PCT"], 0.05, 22.0, 2, ["ng/mL"], "33959-8"),
    "CRP": (["CRP", "C-reactive protein"], 0.3, 28.0, 1, ["mg/dL"], "1988-5"),
    "ESR": (["ESR", "sed rate"], 4, 112, 0, ["mm/hr"], "4537-7"),
    "TSH": (["TSH"], 0.01, 18.0, 2, ["mIU/L", "uIU/mL"], "3016-3"),
    "FT4": (["free T4", "FT4"], 0.4, 5.2, 1, ["ng/dL"], "3024-7"),
    "lipase": (["lipase"], 12, 2600, 0, ["U/L"], "3040-3"),
    "LDL": (["LDL", "LDL-C", "LDL cholesterol"], 42, 231, 0, ["mg/dL"], "13457-7"),
    "HDL": (["HDL", "HDL-C"], 24, 88, 0, ["mg/dL"], "2085-9"),
    "TG": (["triglycerides", "TG", "trigs"], 58, 1100, 0, ["mg/dL"], "2571-8"),
    "ferritin": (["ferritin"], 6, 1900, 0, ["ng/mL"], "2276-4"),
    "TSAT": (["TSAT", "transferrin saturation", "iron sat"], 4, 48, 0, ["%"], "2502-3"),
    "B12": (["B12", "vitamin B12"], 140, 1450, 0, ["pg/mL"], "2132-9"),
    "vitD": (["25-OH vitamin D", "vitamin D, 25-hydroxy", "25(OH)D"], 7, 68, 0, ["ng/mL"], "1989-3"),
    "PSA": (["PSA"], 0.2, 48.0, 1, ["ng/mL"], "2857-1"),
    "CEA": (["CEA"], 0.8, 66.0, 1, ["ng/mL"], "2039-6"),
    "CA199": (["CA 19-9", "CA19-9"], 8, 2400, 0, ["U/mL"], "24108-3"),
    "CA125": (["CA-125", "CA 125"], 6, 920, 0, ["U/mL"], "10334-1"),
    "ddimer": (["D-dimer", "d-dimer"], 180, 5600, 0, ["ng/mL FEU"], "48065-7"),
    "fibrinogen": (["fibrinogen"], 88, 520, 0, ["mg/dL"], "3255-7"),
    "LDH": (["LDH"], 118, 1450, 0, ["U/L"], "2532-0"),
    "uric": (["uric acid"], 3.0, 12.6, 1, ["mg/dL"], "3084-1"),
    "CK": (["CK", "CPK", "creatine kinase"], 38, 18400, 0, ["U/L"], "2157-6"),
    "ammonia": (["ammonia", "NH3"], 14, 188, 0, ["umol/L", "µmol/L"], "16362-6"),
    "pH": (["pH"], 7.06, 7.53, 2, [], "2744-1"),
    "pCO2": (["pCO2", "PaCO2"], 24, 92, 0, ["mmHg", "mm Hg"], "2019-8"),
    "pO2": (["pO2", "PaO2"], 46, 228, 0, ["mmHg"], "2703-7"),
    "AG": (["anion gap", "AG", "gap"], 6, 29, 0, ["mmol/L", "mEq/L"], "33037-3"),
    "retic": (["reticulocyte count", "retic"], 0.4, 6.2, 1, ["%"], "17849-1"),
    "UACR": (["UACR", "urine albumin-to-creatinine ratio", "urine microalbumin/Cr"], 8, 2300, 0, ["mg/g"], "9318-7"),
    "osm": (["serum osm", "serum osmolality"], 258, 332, 0, ["mOsm/kg"], "2692-2"),
    "uosm": (["urine osm", "urine osmolality"], 90, 820, 0, ["mOsm/kg"], "2695-5"),
    "vanc": (["vancomycin trough", "vanc trough"], 8.0, 28.0, 1, ["mcg/mL"], "4092-3"),
    "digoxin": (["digoxin level"], 0.4, 2.6, 1, ["ng/mL"], "10535-3"),
    "lithium": (["lithium level", "Li level"], 0.3, 1.9, 1, ["mEq/L", "mmol/L"], "14334-7"),
    "antiXa": (["anti-Xa", "heparin anti-Xa"], 0.10, 1.20, 2, ["IU/mL"], "3274-8"),
    "iCa": (["ionized calcium", "iCa"], 0.92, 1.36, 2, ["mmol/L"], "1994-3"),
    "cortisol": (["cortisol", "AM cortisol", "random cortisol"], 1.2, 32.0, 1, ["mcg/dL"], "2143-6"),
    "bhb": (["beta-hydroxybutyrate", "BHB"], 0.2, 8.6, 1, ["mmol/L"], "53060-9"),
    "calpro": (["fecal calprotectin"], 40, 1800, 0, ["mcg/g"], "38445-3"),
    "ethanol": (["serum ethanol", "EtOH level", "blood alcohol"], 10, 340, 0, ["mg/dL"], "5643-2"),
    "hCG": (["beta-hCG", "serum hCG", "quantitative hCG"], 2, 48000, 0, ["mIU/mL"], "21198-7"),
    "CSFprot": (["CSF protein"], 35, 260, 0, ["mg/dL"], "2880-3"),
    "T3": (["total T3", "T3"], 80, 610, 0, ["ng/dL"], "3053-6"),
    "ANC": (["ANC", "absolute neutrophil count"], 0.4, 9.8, 1, ["K/uL", "x10^3/uL"], "751-8"),
}
QUAL_LABS = ["CBC", "BMP", "CMP", "LFTs", "coags", "lipid panel", "UA", "urinalysis", "urine culture",
             "blood cultures", "BCx x2", "MRSA nares PCR", "C. diff PCR", "respiratory viral panel",
             "SARS-CoV-2 PCR", "influenza A/B PCR", "UDS", "urine drug screen", "QuantiFERON-TB Gold",
             "HIV-1/2 Ag/Ab", "HCV antibody", "HBsAg", "ANA", "RF", "anti-CCP", "ANCA", "C3", "C4",
             "SPEP", "free light chains", "peripheral smear", "type and screen", "iron studies", "ABG",
             "VBG", "TSH with reflex", "hepatic function panel", "BMP-8", "CBC with diff", "Mg/Phos",
             "troponin series", "lactate x2", "urine Na", "urine protein", "fecal occult blood",
             "FIT", "stool O&P", "H. pylori stool antigen", "anti-tTG IgA", "ceruloplasmin",
             "24-hour urine cortisol", "ACTH", "aldosterone/renin ratio", "Lyme? "]
QUAL_LABS = [q for q in QUAL_LABS if "?" not in q]


CUR = {"ovr": {}, "long": False}


def lab_val(key):
    names, lo, hi, d, units, loinc = LABS[key]
    if key in CUR["ovr"]:
        lo, hi = CUR["ovr"][key]
    v = rng.uniform(lo, hi)
    if d == 0:
        v = int(round(v))
        s = f"{v:,}" if v >= 1000 and maybe(0.6) else str(v)
    else:
        s = f"{v:.{d}f}"
    return s, units


NORMAL = {"Na": (135, 145), "K": (3.5, 5.1), "Cl": (98, 107), "HCO3": (22, 29), "BUN": (7, 20), "Cr": (0.6, 1.2), "glucose": (70, 140),
          "A1c": (4.0, 5.6), "Hgb": (12.0, 17.5), "WBC": (4.0, 11.0), "Plt": (150, 400), "Mg": (1.7, 2.4), "Ca": (8.5, 10.5),
          "ALT": (7, 56), "AST": (10, 40), "Tbili": (0.2, 1.2), "Alb": (3.5, 5.0), "INR": (0.8, 1.2), "lactate": (0.5, 2.0),
          "TSH": (0.4, 4.5), "lipase": (10, 60), "BNP": (0, 100), "NTproBNP": (0, 300), "hsTnI": (0, 34), "ddimer": (0, 500),
          "CRP": (0, 1.0), "ammonia": (15, 45), "K+": (3.5, 5.1), "eGFR": (60, 200), "LDL": (0, 100), "Phos": (2.5, 4.5)}


def flag_for(key, val):
    if key not in NORMAL:
        return ""
    try:
        x = float(str(val).replace(",", ""))
    except ValueError:
        return ""
    lo, hi = NORMAL[key]
    return "H" if x > hi else ("L" if x < lo else "")


def lab(key, sep=None, name=None, flag=True, loinc=False):
    names, lo, hi, d, units, lcode = LABS[key]
    nm = name or ch(names)
    val, units = lab_val(key)
    fl = flag_for(key, val)
    sep = sep if sep is not None else ch([" ", " ", ": ", " = ", " "])
    out = K("LAB", nm) + sep
    if units:
        out += U(f"{val} {ch(units)}", 0.25)
    else:
        out += val
    if flag and fl and maybe(0.3):
        out += ch([f" ({fl})", f" [{fl}]", " *"])
    if loinc:
        out += ch([" (LOINC " + K("LOINC", lcode) + ")", " [LOINC " + K("LOINC", lcode) + "]",
                   " LOINC:" + K("LOINC", lcode)])
    return out


def labn(key):
    return K("LAB", ch(LABS[key][0]))


def labv(key):
    val, units = lab_val(key)
    return U(f"{val} {ch(units)}", 0.25) if units else val


def qlab():
    return K("LAB", ch(QUAL_LABS))


# ------------------------------------------------------------------ scores
def _gcs():
    e, v, m = ri(2, 4), ri(2, 5), ri(4, 6)
    return ch([f"GCS {e+v+m}", f"GCS {e+v+m} (E{e}V{v}M{m})", f"Glasgow Coma Scale {e+v+m}",
               f"GCS: {e+v+m}", f"GCS E{e}V{v}M{m}"])


ROMAN = ["0", "I", "II", "III", "IV", "V"]
SCORE_FNS = {
    "NIHSS": lambda: ch(["NIHSS {}", "NIHSS of {}", "NIHSS: {}", "NIHSS score {}"]).format(ri(0, 24)),
    "MELD": lambda: ch(["MELD {}", "MELD-Na {}", "MELD 3.0 {}", "MELD score of {}"]).format(ri(9, 38)),
    "CURB-65": lambda: ch(["CURB-65 {}", "CURB-65 score {}", "CURB-65 = {}", "CURB65 {}"]).format(ri(0, 4)),
    "PHQ-9": lambda: ch(["PHQ-9 {}", "PHQ-9 score {}", "PHQ-9: {}", "PHQ9 = {}"]).format(ri(2, 24)),
    "GAD-7": lambda: ch(["GAD-7 {}", "GAD-7 score {}", "GAD-7: {}"]).format(ri(1, 19)),
    "Braden": lambda: ch(["Braden {}", "Braden score {}", "Braden Scale {}", "Braden: {}"]).format(ri(9, 21)),
    "Morse": lambda: ch(["Morse {}", "Morse Fall Scale {}", "Morse fall score {}", "MFS {}"]).format(ch([0, 15, 25, 35, 45, 50, 65, 75, 85])),
    "APACHE": lambda: ch(["APACHE II {}", "APACHE II score {}", "APACHE-II {}"]).format(ri(8, 34)),
    "SOFA": lambda: ch(["SOFA {}", "SOFA score {}", "SOFA: {}"]).format(ri(2, 15)),
    "qSOFA": lambda: ch(["qSOFA {}", "qSOFA {}/3", "qSOFA score {}"]).format(ri(1, 3)),
    "HEART": lambda: ch(["HEART score {}", "HEART {}", "HEART score of {}"]).format(ri(2, 8)),
    "TIMI": lambda: ch(["TIMI {}", "TIMI risk score {}", "TIMI score {}"]).format(ri(1, 6)),
    "ASA": lambda: ch(["ASA class {}", "ASA {}", "ASA {}E", "ASA physical status {}"]).format(ch(["II", "III", "IV", "2", "3"])),
    "NYHA": lambda: ch(["NYHA class {}", "NYHA {}", "NYHA functional class {}", "NYHA FC {}"]).format(ch(["II", "III", "IV", "II-III"])),
    "Mallampati": lambda: ch(["Mallampati {}", "Mallampati class {}", "MP {}"]).format(ch(["I", "II", "III", "2", "3"])),
    "Gleason": lambda: ch(["Gleason {a}+{b}={s}", "Gleason score {s} ({a}+{b})", "Gleason {a}+{b}", "Gleason {a} + {b} = {s}"]).format(**_gl()),
    "BI-RADS": lambda: ch(["BI-RADS {}", "BI-RADS category {}", "BIRADS {}"]).format(ch(["0", "1", "2", "3", "4", "4A", "4B", "4C", "5"])),
    "Tanner": lambda: ch(["Tanner stage {}", "Tanner {}", "SMR {}"]).format(ch(["2", "3", "4", "II", "III"])),
    "GCS": _gcs,
    "Apgar": lambda: ch(["Apgar {} and {}", "Apgars {}/{}", "Apgar scores {} and {}", "APGAR {}/{}"]).format(ri(4, 8), ri(7, 9)),
    "CHA2DS2-VASc": lambda: ch(["CHA2DS2-VASc {}", "CHA2DS2-VASc score {}", "CHADS-VASc {}"]).format(ri(1, 7)),
    "HAS-BLED": lambda: ch(["HAS-BLED {}", "HAS-BLED score {}"]).format(ri(0, 4)),
    "Wells": lambda: ch(["Wells score {}", "Wells {}", "Wells criteria {} points"]).format(ch(["1.5", "3", "4.5", "6", "7.5", "0"])),
    "Child-Pugh": lambda: ch(["Child-Pugh class {}", "Child-Pugh {}", "CTP class {}", "Child-Pugh {}{}"]).format(ch(["A", "B", "C"]), ri(5, 13)),
    "Caprini": lambda: ch(["Caprini {}", "Caprini score {}"]).format(ri(2, 9)),
    "Centor": lambda: ch(["Centor {}", "Centor score {}", "McIsaac score {}"]).format(ri(1, 4)),
    "Alvarado": lambda: ch(["Alvarado {}", "Alvarado score {}", "Alvarado {}/10"]).format(ri(3, 9)),
    "RASS": lambda: ch(["RASS {}", "RASS goal 0 to {}", "RASS: {}"]).format(ch(["-1", "-2", "0", "+1", "-3", "-4"])),
    "CAM-ICU": lambda: ch(["CAM-ICU negative", "CAM-ICU positive", "CAM-ICU (-)", "CAM-ICU unable to assess"]),
    "pain": lambda: ch(["pain {}/10", "pain score {}/10", "NRS {}/10", "{}/10 pain"]).format(ri(0, 9)),
    "FLACC": lambda: ch(["FLACC {}", "FLACC score {}"]).format(ri(0, 7)),
    "Karnofsky": lambda: ch(["Karnofsky {}", "KPS {}", "Karnofsky performance status {}%"]).format(ch([50, 60, 70, 80, 90])),
    "ECOG": lambda: ch(["ECOG {}", "ECOG PS {}", "ECOG performance status {}"]).format(ri(0, 3)),
    "mRS": lambda: ch(["mRS {}", "modified Rankin Scale {}", "mRS score {}", "premorbid mRS {}"]).format(ri(0, 4)),
    "Hunt-Hess": lambda: ch(["Hunt-Hess grade {}", "Hunt and Hess {}", "HH {}"]).format(ri(1, 4)),
    "Fisher": lambda: ch(["modified Fisher grade {}", "Fisher grade {}"]).format(ri(1, 4)),
    "Killip": lambda: ch(["Killip class {}", "Killip {}"]).format(ch(["I", "II", "III"])),
    "Ranson": lambda: ch(["Ranson {}", "Ranson score {}", "Ranson criteria {}/11"]).format(ri(1, 6)),
    "BISAP": lambda: ch(["BISAP {}", "BISAP score {}"]).format(ri(0, 4)),
    "Bishop": lambda: ch(["Bishop score {}", "Bishop {}"]).format(ri(3, 10)),
    "Aldrete": lambda: ch(["Aldrete {}", "Aldrete score {}/10", "modified Aldrete {}"]).format(ri(8, 10)),
    "Cormack-Lehane": lambda: ch(["Cormack-Lehane grade {}", "CL grade {}", "Cormack-Lehane {}"]).format(ch(["1", "2a", "2b", "I", "II"])),
    "Lung-RADS": lambda: ch(["Lung-RADS {}", "Lung-RADS category {}"]).format(ch(["2", "3", "4A", "4B"])),
    "TI-RADS": lambda: ch(["TI-RADS {}", "ACR TI-RADS TR{}", "TR{}"]).format(ch(["3", "4", "5"])),
    "LI-RADS": lambda: ch(["LI-RADS {}", "LR-{}"]).format(ch(["3", "4", "5"])),
    "PI-RADS": lambda: ch(["PI-RADS {}", "PI-RADS v2.1 category {}"]).format(ch(["3", "4", "5"])),
    "Bosniak": lambda: ch(["Bosniak {}", "Bosniak category {}"]).format(ch(["I", "II", "IIF", "III"])),
    "Kellgren-Lawrence": lambda: ch(["Kellgren-Lawrence grade {}", "KL grade {}", "Kellgren-Lawrence {}"]).format(ch(["3", "4", "III", "IV"])),
    "Salter-Harris": lambda: ch(["Salter-Harris II", "Salter-Harris type I", "Salter-Harris III", "SH II"]),
    "Weber": lambda: ch(["Weber B", "Weber C", "Danis-Weber type B"]),
    "Garden": lambda: ch(["Garden III", "Garden IV", "Garden type II", "Garden I"]),
    "MMSE": lambda: ch(["MMSE {}/30", "MMSE {}", "Folstein MMSE {}/30"]).format(ri(14, 29)),
    "MoCA": lambda: ch(["MoCA {}/30", "MoCA {}", "MoCA score {}"]).format(ri(12, 29)),
    "Barthel": lambda: ch(["Barthel index {}", "Barthel {}"]).format(ch([35, 45, 60, 75, 90])),
    "AUDIT-C": lambda: ch(["AUDIT-C {}", "AUDIT-C score {}"]).format(ri(1, 11)),
    "CIWA": lambda: ch(["CIWA-Ar {}", "CIWA {}", "CIWA score {}"]).format(ri(3, 26)),
    "COWS": lambda: ch(["COWS {}", "COWS score {}"]).format(ri(4, 22)),
    "EPDS": lambda: ch(["EPDS {}", "EPDS score {}"]).format(ri(3, 18)),
    "CFS": lambda: ch(["Clinical Frailty Scale {}", "CFS {}"]).format(ri(3, 7)),
    "Norton": lambda: ch(["Norton scale {}", "Norton {}"]).format(ri(9, 18)),
    "Rockall": lambda: ch(["Rockall {}", "Rockall score {}"]).format(ri(2, 7)),
    "Blatchford": lambda: ch(["Glasgow-Blatchford score {}", "GBS {}", "Blatchford {}"]).format(ri(3, 14)),
    "Hinchey": lambda: ch(["Hinchey {}", "Hinchey stage {}"]).format(ch(["Ib", "II", "III", "IV"])),
    "Forrest": lambda: ch(["Forrest {}", "Forrest class {}"]).format(ch(["Ia", "Ib", "IIa", "IIb", "III"])),
    "Spetzler-Martin": lambda: ch(["Spetzler-Martin grade {}", "SM grade {}"]).format(ch(["II", "III"])),
    "Fuhrman": lambda: ch(["Fuhrman grade {}", "WHO/ISUP grade {}"]).format(ri(1, 3)),
    "Bloom-Richardson": lambda: ch(["modified Bloom-Richardson grade {}", "Bloom-Richardson score {}/9", "SBR grade {}"]).format(ch(["1", "2", "3", "6", "7"])),
    "Clark": lambda: ch(["Clark level {}", "Clark {}"]).format(ch(["II", "III", "IV"])),
    "Hoehn-Yahr": lambda: ch(["Hoehn and Yahr stage {}", "H&Y {}", "Hoehn-Yahr {}"]).format(ch(["1", "2", "2.5", "3"])),
    "Harvey-Bradshaw": lambda: ch(["Harvey-Bradshaw Index {}", "HBI {}"]).format(ri(3, 14)),
    "CDAI": lambda: ch(["CDAI {}", "CDAI score {}"]).format(ri(150, 420)),
    "Burch-Wartofsky": lambda: ch(["Burch-Wartofsky score {}", "BWPS {}", "Burch-Wartofsky Point Scale {}"]).format(ch([25, 35, 45, 55, 65])),
    "Hughes": lambda: ch(["Hughes disability grade {}", "GBS disability score {}"]).format(ri(2, 5)),
    "SCORTEN": lambda: ch(["SCORTEN {}", "SCORTEN score {}"]).format(ri(1, 4)),
    "LRINEC": lambda: ch(["LRINEC {}", "LRINEC score {}"]).format(ri(2, 8)),
    "PESI": lambda: ch(["sPESI {}", "PESI class {}", "PESI score {}"]).format(ch(["0", "1", "II", "III", "86", "104"])),
    "GRACE": lambda: ch(["GRACE {}", "GRACE score {}"]).format(ri(90, 190)),
    "STOP-BANG": lambda: ch(["STOP-BANG {}", "STOP-Bang score {}/8"]).format(ri(3, 8)),
    "Epworth": lambda: ch(["Epworth {}", "ESS {}", "Epworth Sleepiness Scale {}"]).format(ri(6, 20)),
    "ABCD2": lambda: ch(["ABCD2 {}", "ABCD2 score {}"]).format(ri(2, 6)),
    "NEWS2": lambda: ch(["NEWS2 {}", "NEWS2 score {}", "NEWS {}"]).format(ri(2, 9)),
    "MEWS": lambda: ch(["MEWS {}", "MEWS score {}"]).format(ri(1, 6)),
    "PEWS": lambda: ch(["PEWS {}", "PEWS score {}"]).format(ri(0, 5)),
    "LACE": lambda: ch(["LACE index {}", "LACE {}"]).format(ri(5, 15)),
    "GOLD": lambda: ch(["GOLD {}", "GOLD grade {}", "GOLD group {}"]).format(ch(["2", "3", "4", "E", "B"])),
    "mMRC": lambda: ch(["mMRC {}", "mMRC dyspnea grade {}"]).format(ri(1, 4)),
    "CAT": lambda: ch(["CAT score {}", "CAT {}"]).format(ri(8, 32)),
    "DECAF": lambda: ch(["DECAF {}", "DECAF score {}"]).format(ri(0, 4)),
    "PSI": lambda: ch(["PSI class {}", "PORT class {}", "PSI risk class {}"]).format(ch(["II", "III", "IV", "V"])),
    "EASI": lambda: ch(["EASI {}", "EASI score {}"]).format(ri(16, 42)),
    "IGA": lambda: ch(["vIGA-AD {}", "IGA {}"]).format(ri(3, 4)),
    "DAS28": lambda: ch(["DAS28-CRP {}", "DAS28-ESR {}"]).format(rf(3.3, 6.4)),
    "Hill": lambda: ch(["Hill grade {}", "Hill classification grade {}"]).format(ch(["II", "III", "IV"])),
    "Ballard": lambda: ch(["New Ballard score {}", "Ballard {}"]).format(ri(25, 45)),
    "Kellgren": lambda: ch(["Kellgren-Lawrence grade {}"]).format(ch(["2", "3", "4"])),
    "Risser": lambda: ch(["Risser {}", "Risser grade {}"]).format(ri(0, 4)),
    "Breslow": lambda: ch(["Breslow {} mm", "Breslow thickness {} mm"]).format(rf(0.3, 3.8)),
    "Pain-face": lambda: ch(["Wong-Baker FACES {}", "FACES {}"]).format(ch([0, 2, 4, 6, 8])),
    "Beighton": lambda: ch(["Beighton {}/9", "Beighton score {}"]).format(ri(4, 9)),
    "EDSS": lambda: ch(["EDSS {}", "EDSS score {}"]).format(ch(["1.5", "2.0", "3.5", "4.0", "6.0"])),
    "Lansky": lambda: ch(["Lansky {}", "Lansky play-performance {}"]).format(ch([50, 60, 70, 80])),
    "Ramsay": lambda: ch(["Ramsay {}", "Ramsay sedation score {}"]).format(ri(2, 5)),
    "Riker": lambda: ch(["Riker SAS {}", "SAS {}"]).format(ri(2, 5)),
    "Grade Group": lambda: ch(["Grade Group {}", "ISUP Grade Group {}"]).format(ri(1, 5)),
    "Fontaine": lambda: ch(["Fontaine stage {}", "Rutherford category {}"]).format(ch(["IIb", "III", "3", "4", "5"])),
    "Duke": lambda: ch(["Duke treadmill score {}", "DTS {}"]).format(ch(["+6", "-3", "+2", "-12"])),
}


def _gl():
    a = ch([3, 3, 3, 4, 4, 5])
    b = {3: ch([3, 4, 4]), 4: ch([3, 4, 5]), 5: ch([4, 5])}[a]
    return {"a": a, "b": b, "s": a + b}


def score(name):
    return K("SCORE", SCORE_FNS[name]())


# ------------------------------------------------------------------ devices / orgs
DEVICES = ["PICC line", "PICC", "Port-a-Cath", "port-a-cath", "Mediport", "Jackson-Pratt drain",
           "JP drain", "Pleur-evac", "chest tube", "BiPAP", "CPAP", "APAP", "auto-CPAP", "LVAD",
           "HeartMate 3", "HeartMate II", "Impella CP", "Impella 5.5", "IABP", "intra-aortic balloon pump",
           "ECMO", "VA-ECMO", "VV-ECMO", "CRRT", "Prismaflex", "MiniMed 780G", "MiniMed 770G",
           "MiniMed 630G", "Guardian 4 sensor", "SynchroMed II", "Micra AV", "Micra leadless pacemaker",
           "InterStim", "Evolut PRO+", "Dexcom G7", "Dexcom G6", "FreeStyle Libre 3", "FreeStyle Libre 2",
           "Omnipod 5", "t:slim X2", "Watchman FLX", "MitraClip", "SAPIEN 3", "AICD",
           "dual-chamber pacemaker", "CardioMEMS sensor", "LifeVest", "Zio patch", "loop recorder",
           "Reveal LINQ", "wound VAC", "NG tube", "PEG tube", "G-tube", "J-tube", "tracheostomy tube",
           "LMA", "i-gel", "endotracheal tube", "ETT", "GlideScope", "bougie", "Bair Hugger", "SCDs",
           "sequential compression devices", "arterial line", "A-line", "central line",
           "triple-lumen catheter", "tunneled dialysis catheter", "Permcath", "EVD",
           "external ventricular drain", "lumbar drain", "Hemovac", "nasal cannula",
           "high-flow nasal cannula", "HFNC", "Optiflow", "non-rebreather mask", "incentive spirometer",
           "nebulizer", "AeroChamber", "spacer", "insulin pump", "CGM", "glucometer", "LUCAS device",
           "AED", "LifePak 15", "King airway", "BVM", "bag-valve mask", "cervical collar", "KED",
           "traction splint", "CAT tourniquet", "EZ-IO", "IO needle", "Trilogy ventilator",
           "ResMed AirSense 11", "DreamStation", "Hoyer lift", "PureWick", "condom catheter",
           "rectal tube", "Flexi-Seal", "pulse oximeter", "telemetry box", "Alexis retractor",
           "Endo Catch bag", "Endo GIA stapler", "Prolene mesh", "Aquacel dressing", "Dermabond"]

ORGS = ["ICU", "MICU", "SICU", "CVICU", "Neuro ICU", "NICU", "PICU", "PACU", "ED", "Emergency Department",
        "L&D", "Labor and Delivery", "Cardiology", "Nephrology", "Oncology", "Hematology/Oncology",
        "Infectious Disease", "Palliative Care", "Hospice", "Pharmacy", "Pharmacy and Therapeutics Committee",
        "Tumor Board", "Multidisciplinary Tumor Board", "Case Management", "Social Work", "Physical Therapy",
        "Occupational Therapy", "Speech-Language Pathology", "Respiratory Therapy", "Wound Care", "Cath Lab",
        "Interventional Radiology", "IR", "Endoscopy Suite", "Step-Down Unit", "Telemetry", "Med-Surg",
        "Rapid Response Team", "Stroke Team", "Anticoagulation Clinic", "Heart Failure Clinic",
        "Dialysis Unit", "Utilization Review", "Utilization Management", "Infection Prevention",
        "Antimicrobial Stewardship", "Primary Care", "Urgent Care", "Skilled Nursing Facility", "SNF",
        "LTACH", "Home Health", "Medical Control", "Poison Control Center", "Blood Bank",
        "Surgical Pathology", "Radiology", "Nuclear Medicine", "Endocrinology", "Gastroenterology",
        "Pulmonology", "Neurology", "Ophthalmology", "General Surgery", "Orthopaedics", "Rheumatology", "Dermatology",
        "Hepatology", "Institutional Review Board", "IRB", "Data Safety Monitoring Board", "DSMB",
        "Ethics Committee", "Clinical Documentation Integrity", "Health Information Management",
        "Addiction Medicine", "Geriatrics", "Burn Unit", "Electrophysiology", "Pulmonary Embolism Response Team"]

# ------------------------------------------------------------------ states, ages, years
STATES_FULL = ["Georgia", "Virginia", "West Virginia", "North Carolina", "South Carolina", "North Dakota",
               "South Dakota", "Montana", "Nevada", "Indiana", "Florida", "Louisiana", "Ohio", "Texas",
               "Arizona", "Colorado", "Tennessee", "Kentucky", "Alabama", "Oregon", "Minnesota", "Wisconsin",
               "Michigan", "Iowa", "Nebraska", "Kansas", "Oklahoma", "Arkansas", "Mississippi", "Missouri",
               "Illinois", "Pennsylvania", "Vermont", "Maine", "Alaska", "Hawaii", "Idaho", "Utah",
               "Wyoming", "New Mexico", "New Hampshire", "Connecticut", "Massachusetts", "Rhode Island",
               "Delaware", "Maryland", "California", "New Jersey"]
STATES_NAMEISH = ["Georgia", "Virginia", "Carolina", "Dakota", "Montana", "Nevada", "Indiana", "Florida",
                  "Louisiana", "Arizona", "Tennessee", "Alabama", "Kansas"]
STATES_ABBR = ["GA", "VA", "WV", "ND", "SD", "MT", "NV", "FL", "TX", "AZ", "TN", "KY", "MN", "WI", "NE",
               "KS", "MO", "IL", "AK", "UT", "WY", "NM", "NH", "RI", "OH", "AL", "NJ"]


def state(mode=None):
    mode = mode or ch(["full", "full", "name", "abbr"])
    if mode == "abbr":
        return K("STATE", ch(STATES_ABBR))
    if mode == "name":
        n = ch(STATES_NAMEISH)
        if n == "Carolina":
            n = ch(["North Carolina", "South Carolina"])
        if n == "Dakota":
            n = ch(["North Dakota", "South Dakota"])
        return K("STATE", n)
    return K("STATE", ch(STATES_FULL))


def year(lo=1988, hi=2024):
    return K("YEAR", str(ri(lo, hi)))


TENS = ["", "ten", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty"]
ONES = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def spelled(n):
    s = TENS[n // 10]
    return s + ("-" + ONES[n % 10] if n % 10 else "")


def art(n, spelled_form=False):
    if spelled_form:
        return "an" if spelled(n).startswith("e") else "a"
    return "an" if str(n).startswith("8") or n in (11, 18) else "a"


def age_n(lo=19, hi=89):
    n = ri(lo, hi)
    assert n <= 89
    return n


def age_phrase(n=None, sex=None, lo=19, hi=89):
    n = n if n is not None else age_n(lo, hi)
    sex = sex or ch("FM")
    word = {"F": ch(["woman", "female", "F", "patient", "lady"]), "M": ch(["man", "male", "M", "patient", "gentleman"])}[sex]
    if word in ("F", "M"):
        return ch([K("AGE", f"{n} y/o") + " " + word, K("AGE", f"{n}yo") + " " + word,
                   K("AGE", f"{n} yo") + " " + word, K("AGE", f"{n}") + " " + word,
                   K("AGE", f"{n} y.o.") + " " + word])
    v = ri(0, 7)
    if v == 0:
        return f"{art(n)} " + K("AGE", f"{n}-year-old") + f" {word}"
    if v == 1:
        return f"{art(n)} " + K("AGE", f"{n} year old") + f" {word}"
    if v == 2:
        return K("AGE", f"{n} y/o") + f" {word}"
    if v == 3:
        return f"{word} aged " + K("AGE", str(n))
    if v == 4 and n >= 20:
        return f"{art(n, True)} " + K("AGE", spelled(n) + "-year-old") + f" {word}"
    if v == 5:
        return f"{word}, " + K("AGE", f"{n} years old")
    if v == 6:
        return f"{art(n)} " + K("AGE", f"{n}-yr-old") + f" {word}"
    return f"{art(n)} " + K("AGE", f"{n}-year-old") + f" {word}"


def age_np(lo=19, hi=89):
    """noun phrase that can follow 'of' / 'for': always starts with an article"""
    n = age_n(lo, hi)
    w = ch(["woman", "man", "patient", "female patient", "male patient"])
    v = ri(0, 4)
    if v == 0:
        return f"{art(n)} " + K("AGE", f"{n}-year-old") + f" {w}"
    if v == 1 and n >= 20:
        return f"{art(n, True)} " + K("AGE", spelled(n) + "-year-old") + f" {w}"
    if v == 2:
        return f"a {w} aged " + K("AGE", str(n))
    if v == 3:
        return f"a {w}, " + K("AGE", f"{n} years of age") + ","
    return f"{art(n)} " + K("AGE", f"{n} y/o") + f" {w}"


def age_ped():
    v = ri(0, 4)
    if v == 0:
        n = ri(2, 11)
        return f"{art(n)} " + K("AGE", f"{n}-month-old")
    if v == 1:
        n = ri(2, 17)
        return f"{art(n)} " + K("AGE", f"{n}-year-old")
    if v == 2:
        n = ri(3, 20)
        return K("AGE", f"{n} mo") + " old"
    if v == 3:
        n = ri(2, 27)
        return f"{art(n)} " + K("AGE", f"{n}-day-old") + " neonate"
    n = ri(5, 16)
    return K("AGE", f"{n} y/o")


# ------------------------------------------------------------------ code sets
CPT = {
    "99202": "new patient office visit, straightforward MDM", "99203": "new patient office visit, low MDM",
    "99204": "new patient office visit, moderate MDM", "99205": "new patient office visit, high MDM",
    "99212": "established patient visit, straightforward", "99213": "established patient visit, low MDM",
    "99214": "established patient visit, moderate MDM", "99215": "established patient visit, high MDM",
    "99221": "initial hospital care, low", "99222": "initial hospital care, moderate",
    "99223": "initial hospital care, high", "99231": "subsequent hospital care, low",
    "99232": "subsequent hospital care, moderate", "99233": "subsequent hospital care, high",
    "99238": "hospital discharge day, 30 min or less", "99239": "hospital discharge day, more than 30 min",
    "99283": "ED visit, low MDM", "99284": "ED visit, moderate MDM", "99285": "ED visit, high MDM",
    "99291": "critical care, first 30-74 minutes", "99292": "critical care, each additional 30 minutes",
    "99497": "advance care planning, first 30 minutes", "99406": "tobacco cessation counseling, 3-10 minutes",
    "96127": "brief emotional/behavioral assessment", "93000": "ECG with interpretation and report",
    "93010": "ECG interpretation and report only", "93306": "TTE complete with spectral and color Doppler",
    "93458": "left heart catheterization with coronary angiography", "92928": "PCI with stent, single major coronary artery",
    "92960": "external electrical cardioversion", "33533": "CABG, single arterial graft",
    "33517": "CABG, combined arterial-venous, single vein", "71045": "chest X-ray, single view",
    "71046": "chest X-ray, 2 views", "70450": "CT head without contrast", "70553": "MRI brain without and with contrast",
    "72148": "MRI lumbar spine without contrast", "73721": "MRI lower extremity joint without contrast",
    "74177": "CT abdomen and pelvis with contrast", "71275": "CTA chest", "76705": "ultrasound abdomen, limited",
    "76700": "ultrasound abdomen, complete", "77067": "screening mammography, bilateral",
    "77065": "diagnostic mammography, unilateral", "93970": "duplex scan of extremity veins, bilateral",
    "45378": "colonoscopy, diagnostic", "45380": "colonoscopy with biopsy", "45385": "colonoscopy with snare polypectomy",
    "43239": "EGD with biopsy", "43255": "EGD with control of bleeding", "47562": "laparoscopic cholecystectomy",
    "44970": "laparoscopic appendectomy", "49505": "open inguinal hernia repair, initial, reducible",
    "27447": "total knee arthroplasty", "27130": "total hip arthroplasty",
    "27236": "open treatment femoral neck fracture with prosthetic replacement",
    "25607": "ORIF distal radius, extra-articular", "64721": "carpal tunnel release",
    "48150": "pancreaticoduodenectomy (Whipple-type procedure)", "43280": "laparoscopic fundoplication",
    "44143": "partial colectomy with end colostomy and closure of distal segment",
    "59510": "routine obstetric care including cesarean delivery", "59514": "cesarean delivery only",
    "60240": "total thyroidectomy", "36556": "insertion of non-tunneled central venous catheter",
    "36569": "insertion of PICC without port", "36620": "arterial catheterization for monitoring",
    "31500": "emergency endotracheal intubation", "32555": "thoracentesis with imaging guidance",
    "49083": "paracentesis with imaging guidance", "62270": "diagnostic lumbar puncture",
    "94640": "inhalation treatment (nebulizer)", "94660": "CPAP initiation and management",
    "96372": "therapeutic injection, SC/IM", "96365": "IV infusion, initial hour", "96413": "chemotherapy IV infusion, initial hour",
    "80053": "comprehensive metabolic panel", "80048": "basic metabolic panel", "85025": "CBC with automated differential",
    "83036": "hemoglobin A1c", "80061": "lipid panel", "84443": "TSH", "36415": "venipuncture",
    "85610": "prothrombin time", "87086": "urine culture, quantitative", "87040": "blood culture",
    "88305": "surgical pathology, level IV", "88307": "surgical pathology, level V", "88309": "surgical pathology, level VI",
    "88342": "immunohistochemistry, first antibody", "88341": "immunohistochemistry, each additional antibody",
    "88360": "tumor morphometric analysis, IHC, manual", "20610": "arthrocentesis/injection, major joint",
    "64483": "transforaminal epidural injection, lumbar/sacral, single level", "97110": "therapeutic exercise, each 15 minutes",
    "97161": "PT evaluation, low complexity", "97530": "therapeutic activities, each 15 minutes",
    "90471": "immunization administration", "90686": "influenza vaccine, quadrivalent, preservative free",
    "90715": "Tdap vaccine", "90750": "zoster vaccine, recombinant", "95810": "polysomnography",
    "95811": "polysomnography with CPAP titration", "93015": "cardiovascular stress test",
    "78452": "myocardial perfusion imaging, SPECT, multiple studies", "66984": "cataract extraction with IOL",
    "11042": "debridement, subcutaneous tissue, first 20 sq cm", "97597": "selective debridement, open wound",
    "33967": "insertion of intra-aortic balloon assist device, percutaneous", "33990": "insertion of percutaneous VAD, arterial access",
    "33946": "ECMO initiation, veno-venous", "33947": "ECMO initiation, veno-arterial", "90935": "hemodialysis, single evaluation",
    "90945": "dialysis other than hemodialysis (CRRT), single evaluation", "92950": "cardiopulmonary resuscitation",
    "64615": "chemodenervation for chronic migraine", "96401": "chemotherapy administration, SC/IM",
    "99152": "moderate sedation, first 15 minutes", "51702": "insertion of temporary indwelling bladder catheter",
}
CPT_MODS = {"99214": ["25"], "99213": ["25"], "99215": ["25"], "99233": ["57", "AI"], "99223": ["AI", "57"],
            "99285": ["25"], "99284": ["25"], "27447": ["RT", "LT"], "27130": ["RT", "LT"], "64483": ["50", "RT", "LT"],
            "20610": ["RT", "LT", "50"], "93306": ["26", "TC"], "71046": ["26"], "74177": ["26"], "70450": ["26"],
            "45385": ["PT", "33"], "45380": ["PT", "59"], "11042": ["59", "XS"], "97110": ["GP", "59"],
            "97530": ["GO", "GP"], "49505": ["RT", "LT"], "64721": ["RT", "LT"], "25607": ["RT", "LT"],
            "93010": ["76", "77"], "88342": ["26"], "88305": ["26", "59"], "36556": ["59"], "31500": ["59"],
            "47562": ["80", "22"], "44970": ["78"], "92928": ["LD", "RC", "LC"], "99291": ["25"]}

HCPCS = {
    "J1885": "ketorolac tromethamine, per 15 mg", "J2405": "ondansetron, per 1 mg", "J3301": "triamcinolone acetonide, per 10 mg",
    "J0696": "ceftriaxone, per 250 mg", "J1100": "dexamethasone sodium phosphate, 1 mg", "J9035": "bevacizumab, 10 mg",
    "J9271": "pembrolizumab, 1 mg", "J9299": "nivolumab, 1 mg", "J9355": "trastuzumab, 10 mg", "J0897": "denosumab, 1 mg",
    "J1745": "infliximab, 10 mg", "J2506": "pegfilgrastim, 0.5 mg", "J0585": "onabotulinumtoxinA, per unit",
    "J1950": "leuprolide acetate depot, per 3.75 mg", "J7613": "albuterol, unit dose, per 1 mg",
    "J7620": "albuterol up to 2.5 mg and ipratropium 0.5 mg, unit dose", "J1439": "ferric carboxymaltose, 1 mg",
    "J1756": "iron sucrose, 1 mg", "J0178": "aflibercept, 1 mg", "J2778": "ranibizumab, 0.1 mg",
    "J2543": "piperacillin/tazobactam, 1 g/0.125 g", "J3370": "vancomycin, 500 mg", "J1170": "hydromorphone, up to 4 mg",
    "J2270": "morphine sulfate, up to 10 mg", "J7030": "normal saline solution infusion, 1000 cc",
    "J7050": "normal saline solution infusion, 250 cc", "J0131": "acetaminophen injection, 10 mg", "J2250": "midazolam, per 1 mg",
    "J1644": "heparin sodium, per 1000 units", "J1650": "enoxaparin sodium, 10 mg", "J0171": "epinephrine, 0.1 mg",
    "J2704": "propofol, 10 mg", "J3490": "unclassified drugs", "J2357": "omalizumab, 5 mg", "J0517": "benralizumab, 1 mg",
    "J2182": "mepolizumab, 1 mg", "Q5103": "infliximab-dyyb, biosimilar, 10 mg", "E0601": "CPAP device",
    "E0470": "respiratory assist device, bi-level, without backup rate", "E0471": "respiratory assist device, bi-level, with backup rate",
    "E0431": "portable gaseous oxygen system, rental", "E1390": "oxygen concentrator", "E0114": "crutches, underarm, pair",
    "E0143": "walker, folding, wheeled", "K0001": "standard wheelchair", "E0260": "hospital bed, semi-electric, with mattress",
    "A4253": "blood glucose test strips, per 50", "A4259": "lancets, per box of 100", "A9276": "CGM sensor, 1 day supply",
    "A9277": "CGM transmitter", "A9278": "CGM receiver", "E0784": "external ambulatory infusion pump, insulin",
    "G0439": "annual wellness visit, subsequent", "G0438": "annual wellness visit, initial", "G0008": "administration of influenza vaccine",
    "G0009": "administration of pneumococcal vaccine", "G0444": "annual depression screening, 5-15 minutes",
    "G0442": "annual alcohol misuse screening", "G2211": "visit complexity add-on", "L1833": "knee orthosis, adjustable, prefabricated",
    "L3908": "wrist-hand orthosis, prefabricated", "L4361": "walking boot, pneumatic", "A6196": "alginate dressing, 16 sq in or less",
    "A7030": "CPAP full face mask", "A7034": "nasal interface for CPAP", "A7035": "headgear for PAP device",
    "A7037": "tubing for PAP device", "A7038": "disposable filter for PAP device", "E0562": "heated humidifier",
    "A0427": "ALS emergency transport, level 1", "A0429": "BLS emergency transport", "A0425": "ground mileage, per statute mile",
    "A0433": "ALS transport, level 2", "A0434": "specialty care transport", "J9045": "carboplatin, 50 mg",
    "J9267": "paclitaxel, 1 mg", "J1569": "immune globulin (Gammagard Liquid), 500 mg", "J7050 ": "",
    "J1300": "eculizumab, 10 mg", "J0129": "abatacept, 10 mg", "J3262": "tocilizumab, 1 mg",
}
HCPCS = {k.strip(): v for k, v in HCPCS.items() if v}

ICD10CM = {
    "I10": "Essential (primary) hypertension", "E11.9": "Type 2 diabetes mellitus without complications",
    "E11.65": "Type 2 diabetes mellitus with hyperglycemia", "E11.22": "Type 2 DM with diabetic CKD",
    "E11.42": "Type 2 DM with diabetic polyneuropathy", "E10.10": "Type 1 DM with ketoacidosis without coma",
    "E10.65": "Type 1 diabetes mellitus with hyperglycemia", "N18.31": "Chronic kidney disease, stage 3a",
    "N18.32": "Chronic kidney disease, stage 3b", "N18.4": "Chronic kidney disease, stage 4",
    "N18.6": "End stage renal disease", "I50.22": "Chronic systolic (congestive) heart failure",
    "I50.23": "Acute on chronic systolic (congestive) heart failure", "I50.32": "Chronic diastolic (congestive) heart failure",
    "I50.33": "Acute on chronic diastolic heart failure", "I11.0": "Hypertensive heart disease with heart failure",
    "I48.91": "Unspecified atrial fibrillation", "I48.0": "Paroxysmal atrial fibrillation", "I48.19": "Other persistent atrial fibrillation",
    "J44.1": "COPD with (acute) exacerbation", "J44.0": "COPD with acute lower respiratory infection",
    "J18.9": "Pneumonia, unspecified organism", "J45.50": "Severe persistent asthma, uncomplicated",
    "J45.909": "Unspecified asthma, uncomplicated", "J96.01": "Acute respiratory failure with hypoxia",
    "J96.02": "Acute respiratory failure with hypercapnia", "A41.9": "Sepsis, unspecified organism",
    "A41.51": "Sepsis due to Escherichia coli", "R65.20": "Severe sepsis without septic shock",
    "R65.21": "Severe sepsis with septic shock", "N17.9": "Acute kidney failure, unspecified",
    "N39.0": "Urinary tract infection, site not specified", "N10": "Acute pyelonephritis",
    "I21.4": "Non-ST elevation (NSTEMI) myocardial infarction", "I21.19": "STEMI involving other coronary artery of inferior wall",
    "I25.10": "Atherosclerotic heart disease of native coronary artery without angina pectoris",
    "I63.511": "Cerebral infarction due to occlusion of right middle cerebral artery", "I63.9": "Cerebral infarction, unspecified",
    "G45.9": "Transient cerebral ischemic attack, unspecified", "E78.5": "Hyperlipidemia, unspecified",
    "E78.01": "Familial hypercholesterolemia", "E66.01": "Morbid (severe) obesity due to excess calories",
    "Z68.41": "BMI 40.0-44.9, adult", "F32.A": "Depression, unspecified", "F33.1": "Major depressive disorder, recurrent, moderate",
    "F41.1": "Generalized anxiety disorder", "G47.33": "Obstructive sleep apnea (adult)", "K21.9": "GERD without esophagitis",
    "K57.20": "Diverticulitis of large intestine with perforation and abscess without bleeding",
    "K80.00": "Calculus of gallbladder with acute cholecystitis without obstruction",
    "K81.0": "Acute cholecystitis", "K85.10": "Biliary acute pancreatitis without necrosis or infection",
    "K85.90": "Acute pancreatitis without necrosis or infection, unspecified", "K92.2": "Gastrointestinal hemorrhage, unspecified",
    "K25.4": "Chronic or unspecified gastric ulcer with hemorrhage", "K22.6": "Gastro-esophageal laceration-hemorrhage syndrome",
    "K22.70": "Barrett's esophagus without dysplasia", "K22.711": "Barrett's esophagus with high grade dysplasia",
    "K50.90": "Crohn's disease, unspecified, without complications", "K50.011": "Crohn's disease of small intestine with rectal bleeding",
    "K50.812": "Crohn's disease of both small and large intestine with intestinal obstruction",
    "K70.31": "Alcoholic cirrhosis of liver with ascites", "K76.82": "Hepatic encephalopathy",
    "K59.81": "Ogilvie syndrome", "K35.80": "Unspecified acute appendicitis", "K40.90": "Unilateral inguinal hernia, without obstruction or gangrene, not specified as recurrent",
    "K44.9": "Diaphragmatic hernia without obstruction or gangrene", "D50.9": "Iron deficiency anemia, unspecified",
    "D64.9": "Anemia, unspecified", "D68.0": "Von Willebrand disease", "E87.1": "Hypo-osmolality and hyponatremia",
    "E22.2": "Syndrome of inappropriate secretion of antidiuretic hormone", "E87.5": "Hyperkalemia", "E87.6": "Hypokalemia",
    "E03.9": "Hypothyroidism, unspecified", "E06.3": "Autoimmune thyroiditis", "E05.00": "Thyrotoxicosis with diffuse goiter without thyrotoxic crisis",
    "E05.01": "Thyrotoxicosis with diffuse goiter with thyrotoxic crisis or storm", "E27.1": "Primary adrenocortical insufficiency",
    "E27.2": "Addisonian crisis", "E24.9": "Cushing's syndrome, unspecified", "M17.11": "Unilateral primary osteoarthritis, right knee",
    "M17.12": "Unilateral primary osteoarthritis, left knee", "M16.11": "Unilateral primary osteoarthritis, right hip",
    "M54.50": "Low back pain, unspecified", "M54.16": "Radiculopathy, lumbar region", "M81.0": "Age-related osteoporosis without current pathological fracture",
    "M72.0": "Palmar fascial fibromatosis [Dupuytren]", "M65.4": "Radial styloid tenosynovitis [de Quervain]",
    "M35.00": "Sicca syndrome, unspecified", "M05.79": "Rheumatoid arthritis with rheumatoid factor of multiple sites without organ involvement",
    "M06.9": "Rheumatoid arthritis, unspecified", "S72.001A": "Fracture of unspecified part of neck of right femur, initial encounter",
    "S72.002A": "Fracture of unspecified part of neck of left femur, initial encounter",
    "S52.531A": "Colles' fracture of right radius, initial encounter for closed fracture",
    "S52.532A": "Colles' fracture of left radius, initial encounter for closed fracture",
    "S92.351A": "Displaced fracture of fifth metatarsal bone, right foot, initial", "S06.0X0A": "Concussion without loss of consciousness, initial encounter",
    "T81.4XXA": "Infection following a procedure, initial encounter", "L03.115": "Cellulitis of right lower limb",
    "L03.116": "Cellulitis of left lower limb", "L89.154": "Pressure ulcer of sacral region, stage 4",
    "L51.1": "Stevens-Johnson syndrome", "L20.9": "Atopic dermatitis, unspecified", "L40.0": "Psoriasis vulgaris",
    "I26.99": "Other pulmonary embolism without acute cor pulmonale", "I82.401": "Acute embolism and thrombosis of unspecified deep veins of right lower extremity",
    "G61.0": "Guillain-Barre syndrome", "G20.A1": "Parkinson's disease without dyskinesia, without mention of fluctuations",
    "G30.9": "Alzheimer's disease, unspecified", "G35": "Multiple sclerosis", "G40.909": "Epilepsy, unspecified, not intractable, without status epilepticus",
    "G43.709": "Chronic migraine without aura, not intractable, without status migrainosus", "G51.0": "Bell's palsy",
    "G56.01": "Carpal tunnel syndrome, right upper limb", "G10": "Huntington's disease", "F10.239": "Alcohol dependence with withdrawal, unspecified",
    "F10.231": "Alcohol dependence with withdrawal delirium", "E51.2": "Wernicke's encephalopathy", "F17.210": "Nicotine dependence, cigarettes, uncomplicated",
    "Z79.4": "Long term (current) use of insulin", "Z79.01": "Long term (current) use of anticoagulants",
    "Z79.899": "Other long term (current) drug therapy", "Z95.1": "Presence of aortocoronary bypass graft",
    "Z95.810": "Presence of automatic (implantable) cardiac defibrillator", "Z95.811": "Presence of heart assist device",
    "Z96.651": "Presence of right artificial knee joint", "Z86.73": "Personal history of TIA and cerebral infarction without residual deficits",
    "Z87.891": "Personal history of nicotine dependence", "Z99.2": "Dependence on renal dialysis", "Z51.11": "Encounter for antineoplastic chemotherapy",
    "Z00.00": "Encounter for general adult medical examination without abnormal findings", "Z12.31": "Encounter for screening mammogram for malignant neoplasm of breast",
    "Z12.11": "Encounter for screening for malignant neoplasm of colon", "Z15.01": "Genetic susceptibility to malignant neoplasm of breast",
    "Z80.0": "Family history of malignant neoplasm of digestive organs", "C34.90": "Malignant neoplasm of unspecified part of unspecified bronchus or lung",
    "C50.911": "Malignant neoplasm of unspecified site of right female breast", "C61": "Malignant neoplasm of prostate",
    "C18.7": "Malignant neoplasm of sigmoid colon", "C25.0": "Malignant neoplasm of head of pancreas", "C81.10": "Nodular sclerosis Hodgkin lymphoma, unspecified site",
    "C92.00": "Acute myeloblastic leukemia, not having achieved remission", "C73": "Malignant neoplasm of thyroid gland",
    "D05.11": "Intraductal carcinoma in situ of right breast", "O24.410": "Gestational diabetes mellitus in pregnancy, diet controlled",
    "O34.211": "Maternal care for low transverse scar from previous cesarean delivery", "O80": "Encounter for full-term uncomplicated delivery",
    "Z3A.39": "39 weeks gestation of pregnancy", "O13.3": "Gestational hypertension without significant proteinuria, third trimester",
    "R07.9": "Chest pain, unspecified", "R06.02": "Shortness of breath", "R55": "Syncope and collapse", "R41.82": "Altered mental status, unspecified",
    "R10.31": "Right lower quadrant pain", "R50.9": "Fever, unspecified", "R56.9": "Unspecified convulsions",
    "T78.2XXA": "Anaphylactic shock, unspecified, initial encounter", "T40.2X1A": "Poisoning by other opioids, accidental, initial encounter",
    "E16.2": "Hypoglycemia, unspecified", "I46.9": "Cardiac arrest, cause unspecified", "H81.10": "Benign paroxysmal vertigo, unspecified ear",
    "H81.09": "Meniere's disease, unspecified ear", "H35.3211": "Exudative age-related macular degeneration, right eye, with active choroidal neovascularization",
    "Q21.1": "Atrial septal defect", "Q90.9": "Down syndrome, unspecified", "Q87.40": "Marfan syndrome, unspecified",
    "I73.00": "Raynaud's syndrome without gangrene", "K90.81": "Whipple's disease", "I45.6": "Pre-excitation syndrome",
    "D69.0": "Allergic purpura", "M30.3": "Mucocutaneous lymph node syndrome [Kawasaki]", "K56.609": "Unspecified intestinal obstruction, unspecified as to partial versus complete obstruction",
    "Z90.49": "Acquired absence of other specified parts of digestive tract", "B20": "Human immunodeficiency virus [HIV] disease",
    "U07.1": "COVID-19", "H53.16": "Psychophysical visual disturbances", "B02.21": "Postherpetic geniculate ganglionitis",
    "E83.01": "Wilson's disease", "E80.4": "Gilbert syndrome", "Q93.82": "Williams syndrome", "Q96.9": "Turner's syndrome, unspecified",
    "M71.21": "Synovial cyst of popliteal space [Baker], right knee", "C74.90": "Malignant neoplasm of unspecified part of unspecified adrenal gland", "M25.312": "Other instability, left shoulder", "E04.1": "Nontoxic single thyroid nodule",
    "R97.20": "Elevated prostate specific antigen [PSA]", "N28.1": "Cyst of kidney, acquired", "R51.9": "Headache, unspecified",
    "T17.908A": "Unspecified foreign body in larynx causing asphyxiation, initial encounter", "D62": "Acute posthemorrhagic anemia",
    "K80.20": "Calculus of gallbladder without cholecystitis without obstruction",
    "I87.2": "Venous insufficiency (chronic) (peripheral)", "D69.6": "Thrombocytopenia, unspecified",
    "F10.20": "Alcohol dependence, uncomplicated", "E83.42": "Hypomagnesemia", "E44.0": "Moderate protein-calorie malnutrition",
    "W19.XXXA": "Unspecified fall, initial encounter", "T42.6X5A": "Adverse effect of other antiepileptic and sedative-hypnotic drugs, initial encounter",
    "A08.4": "Viral intestinal infection, unspecified", "E05.90": "Thyrotoxicosis, unspecified without thyrotoxic crisis or storm", "J12.82": "Pneumonia due to coronavirus disease 2019", "I35.0": "Nonrheumatic aortic (valve) stenosis",
}

ICD10PCS = {
    "0FT44ZZ": "Resection of gallbladder, percutaneous endoscopic approach",
    "0DTJ4ZZ": "Resection of appendix, percutaneous endoscopic approach",
    "0SRC0J9": "Replacement of right knee joint with synthetic substitute, cemented, open approach",
    "0SRD0J9": "Replacement of left knee joint with synthetic substitute, cemented, open approach",
    "0SR9019": "Replacement of right hip joint with metal synthetic substitute, cemented, open approach",
    "0SRR0J9": "Replacement of right hip joint, femoral surface, with synthetic substitute, cemented, open approach",
    "10D00Z1": "Extraction of products of conception, low cervical, open approach",
    "0FBG0ZZ": "Excision of pancreas, open approach", "0DV44ZZ": "Restriction of esophagogastric junction, percutaneous endoscopic approach",
    "021109W": "Bypass coronary artery, two arteries from aorta with autologous venous tissue, open approach",
    "02100Z9": "Bypass coronary artery, one artery from left internal mammary, open approach",
    "02703DZ": "Dilation of coronary artery, one artery with intraluminal device, percutaneous approach",
    "0QSH04Z": "Reposition right radius with internal fixation device, open approach",
    "0GTK0ZZ": "Resection of thyroid gland, open approach", "0DTN0ZZ": "Resection of sigmoid colon, open approach",
    "01N50ZZ": "Release median nerve, open approach", "0YU50JZ": "Supplement right inguinal region with synthetic substitute, open approach",
    "5A1955Z": "Respiratory ventilation, greater than 96 consecutive hours", "5A1945Z": "Respiratory ventilation, 24-96 consecutive hours",
    "5A1935Z": "Respiratory ventilation, less than 24 consecutive hours", "5A1522G": "Extracorporeal oxygenation, membrane, peripheral veno-arterial",
    "5A1522H": "Extracorporeal oxygenation, membrane, peripheral veno-venous", "5A1D90Z": "Performance of urinary filtration, continuous, greater than 18 hours per day",
    "0BH17EZ": "Insertion of endotracheal airway into trachea, via natural or artificial opening",
    "02HV33Z": "Insertion of infusion device into superior vena cava, percutaneous approach",
    "0W9G3ZZ": "Drainage of peritoneal cavity, percutaneous approach", "0W9930Z": "Drainage of right pleural cavity with drainage device, percutaneous approach",
    "009U3ZX": "Drainage of spinal canal, percutaneous approach, diagnostic", "0DB68ZX": "Excision of stomach, via natural or artificial opening endoscopic, diagnostic",
    "0DBN8ZX": "Excision of sigmoid colon, endoscopic, diagnostic", "0DJ08ZZ": "Inspection of upper intestinal tract, endoscopic",
    "3E033GC": "Introduction of other therapeutic substance into peripheral vein, percutaneous approach",
    "3E03317": "Introduction of other thrombolytic into peripheral vein, percutaneous approach",
    "02HA3RZ": "Insertion of short-term external heart assist system into heart, percutaneous approach",
    "5A02210": "Assistance with cardiac output using balloon pump, continuous", "30233N1": "Transfusion of nonautologous red blood cells into peripheral vein, percutaneous approach",
    "06L34CZ": "Occlusion of esophageal vein with extraluminal device, percutaneous endoscopic approach",
    "0DQ48ZZ": "Repair esophagogastric junction, via natural or artificial opening endoscopic",
    "B2111ZZ": "Fluoroscopy of multiple coronary arteries using low osmolar contrast",
    "4A023N7": "Measurement of cardiac sampling and pressure, left heart, percutaneous approach",
}

LOINC_EXTRA = {"8480-6": "Systolic blood pressure", "8462-4": "Diastolic blood pressure", "8867-4": "Heart rate",
               "59408-5": "Oxygen saturation by pulse oximetry", "39156-5": "BMI", "29463-7": "Body weight",
               "8302-2": "Body height", "44261-6": "PHQ-9 total score", "70274-6": "GAD-7 total score",
               "72514-3": "Pain severity 0-10", "9269-2": "Glasgow coma score total", "94500-6": "SARS-CoV-2 RNA NAA",
               "38208-5": "Pain severity reported", "8310-5": "Body temperature", "9279-1": "Respiratory rate",
               "11557-6": "Carbon dioxide [partial pressure] in blood", "14959-1": "Microalbumin/creatinine ratio, urine",
               "2888-6": "Protein [mass/volume] in urine", "5792-7": "Glucose, urine", "600-7": "Bacteria identified in blood by culture",
               "630-4": "Bacteria identified in urine by culture", "13362-9": "Collection duration of urine"}

NDC = [("Eliquis 5 mg tablet", "0003-0894-21"), ("Lipitor 10 mg tablet", "0071-0155-23"),
       ("Januvia 100 mg tablet", "0006-0277-31"), ("Lantus SoloStar pen", "0088-2219-05"),
       ("Humalog KwikPen", "0002-8799-59"), ("Ozempic 0.25 mg/0.5 mg pen", "0169-4132-12"),
       ("Jardiance 10 mg tablet", "0597-0152-30"), ("Farxiga 10 mg tablet", "0310-6210-30"),
       ("Xarelto 20 mg tablet", "50458-0579-30"), ("Entresto 24/26 mg tablet", "0078-0659-20"),
       ("Trulicity 1.5 mg pen", "0002-1433-80"), ("Symbicort 160/4.5 inhaler", "0186-0370-20"),
       ("Advair Diskus 250/50", "0173-0696-00"), ("ProAir HFA", "59310-0579-22"),
       ("Spiriva HandiHaler", "0597-0075-41"), ("Narcan 4 mg nasal spray", "69547-0353-02"),
       ("EpiPen 2-Pak", "49502-0500-02"), ("metformin 500 mg tablet", "65162-0175-10"),
       ("lisinopril 10 mg tablet", "68180-0514-01"), ("amlodipine 5 mg tablet", "0069-1530-66"),
       ("Dupixent 300 mg pen", "0024-5915-02"), ("Humira Pen 40 mg", "0074-0554-02"),
       ("Keytruda 100 mg/4 mL vial", "0006-3026-02"), ("Prolia 60 mg syringe", "55513-0710-01"),
       ("Enbrel SureClick 50 mg", "58406-0032-04"), ("Tresiba FlexTouch", "0169-2660-15"),
       ("NovoLog FlexPen", "0169-6339-10"), ("Mounjaro 5 mg pen", "0002-1495-80"),
       ("Repatha SureClick 140 mg", "72511-0760-01"), ("Xolair 150 mg syringe", "50242-0214-01"),
       ("Nucala 100 mg autoinjector", "0173-0892-42"), ("Botox 100 unit vial", "0023-1145-01"),
       ("Stelara 90 mg syringe", "57894-0061-03"), ("Trelegy Ellipta", "0173-0887-10"),
       ("Brilinta 90 mg tablet", "0186-0777-60"), ("Paxlovid dose pack", "0069-1085-30")]

SNOMED = {"38341003": "Hypertensive disorder", "44054006": "Diabetes mellitus type 2", "46635009": "Diabetes mellitus type 1",
          "195967001": "Asthma", "13645005": "Chronic obstructive lung disease", "22298006": "Myocardial infarction",
          "401314000": "Acute non-ST segment elevation myocardial infarction", "49436004": "Atrial fibrillation",
          "84114007": "Heart failure", "233604007": "Pneumonia", "91302008": "Sepsis", "433144002": "Chronic kidney disease stage 3",
          "14669001": "Acute renal failure syndrome", "35489007": "Depressive disorder", "197480006": "Anxiety disorder",
          "230690007": "Cerebrovascular accident", "422504002": "Ischemic stroke", "40930008": "Hypothyroidism",
          "55822004": "Hyperlipidemia", "414545008": "Ischemic heart disease", "59621000": "Essential hypertension",
          "254837009": "Malignant neoplasm of breast", "399068003": "Malignant tumor of prostate", "363358000": "Malignant tumor of lung",
          "80146002": "Appendectomy", "38102005": "Cholecystectomy", "609588000": "Total knee replacement",
          "52734007": "Total hip replacement", "232717009": "Coronary artery bypass grafting", "271737000": "Anemia",
          "29857009": "Chest pain", "267036007": "Dyspnea", "68566005": "Urinary tract infectious disease",
          "128053003": "Deep venous thrombosis", "59282003": "Pulmonary embolism", "235595009": "Gastroesophageal reflux disease",
          "78275009": "Obstructive sleep apnea syndrome", "24700007": "Multiple sclerosis", "49049000": "Parkinson's disease",
          "26929004": "Alzheimer's disease", "84757009": "Epilepsy", "34000006": "Crohn's disease", "302914006": "Barrett's esophagus",
          "21983002": "Hashimoto thyroiditis", "353295004": "Graves' disease", "363732003": "Addison's disease",
          "40956001": "Guillain-Barré syndrome", "73442001": "Stevens-Johnson syndrome", "70143003": "Down syndrome",
          "19943007": "Cirrhosis of liver", "197456007": "Acute pancreatitis", "65275009": "Acute cholecystitis",
          "74400008": "Appendicitis", "37372002": "Upper gastrointestinal hemorrhage", "420422005": "Diabetic ketoacidosis",
          "8635005": "Alcohol withdrawal syndrome", "89627008": "Hyponatremia", "5913000": "Fracture of neck of femur",
          "128045006": "Cellulitis", "4556007": "Gastritis", "118940003": "Disorder of nervous system", "698247007": "Cardiac arrhythmia",
          "266569009": "Benign prostatic hyperplasia", "396275006": "Osteoarthritis", "64859006": "Osteoporosis",
          "69896004": "Rheumatoid arthritis", "24079001": "Atopic dermatitis", "9014002": "Psoriasis", "73430006": "Sleep apnea",
          "193462001": "Bell's palsy", "13420004": "Raynaud's phenomenon", "83901003": "Sjögren's syndrome",
          "75702008": "Kawasaki disease", "58756001": "Huntington's chorea", "190905008": "Wilson's disease", "118599009": "Hodgkin's disease",
          "91861009": "Acute myeloid leukemia", "127013003": "Disorder of kidney due to diabetes mellitus", "4776004": "Lichen planus"}

RXNORM = {"29046": "lisinopril", "6809": "metformin", "83367": "atorvastatin", "17767": "amlodipine", "11289": "warfarin",
          "1364430": "apixaban", "1114195": "rivaroxaban", "32968": "clopidogrel", "1191": "aspirin", "4603": "furosemide",
          "5640": "ibuprofen", "161": "acetaminophen", "7052": "morphine", "7804": "oxycodone", "5224": "heparin",
          "67108": "enoxaparin", "274783": "insulin glargine", "86009": "insulin lispro", "36567": "simvastatin",
          "40790": "pantoprazole", "7646": "omeprazole", "2551": "ciprofloxacin", "723": "amoxicillin", "82122": "levofloxacin",
          "11124": "vancomycin", "2193": "ceftriaxone", "10582": "levothyroxine", "1545653": "empagliflozin",
          "475968": "liraglutide", "1991302": "semaglutide", "197361": "amlodipine 5 MG Oral Tablet",
          "314076": "lisinopril 10 MG Oral Tablet", "860975": "metformin 500 MG 24HR extended release tablet",
          "617312": "atorvastatin 40 MG Oral Tablet", "1364445": "apixaban 5 MG Oral Tablet", "1656339": "sacubitril 24 MG / valsartan 26 MG",
          "35296": "ramipril", "52175": "losartan", "6918": "metoprolol", "20352": "carvedilol", "9997": "spironolactone",
          "1373458": "canagliflozin", "1488564": "dulaglutide", "2601723": "tirzepatide", "1658634": "insulin degludec",
          "25480": "gabapentin", "36437": "sertraline", "321988": "escitalopram", "42347": "bupropion", "7531": "naloxone",
          "1819": "buprenorphine", "18631": "azithromycin", "3640": "doxycycline", "203563": "levothyroxine sodium",
          "1551291": "dupilumab", "327361": "adalimumab", "993687": "denosumab"}

DRG = {"291": "Heart failure and shock with MCC", "292": "Heart failure and shock with CC",
       "293": "Heart failure and shock without CC/MCC", "193": "Simple pneumonia and pleurisy with MCC",
       "194": "Simple pneumonia and pleurisy with CC", "195": "Simple pneumonia and pleurisy without CC/MCC",
       "871": "Septicemia or severe sepsis without MV >96 hours with MCC", "872": "Septicemia or severe sepsis without MV >96 hours without MCC",
       "870": "Septicemia or severe sepsis with MV >96 hours", "190": "Chronic obstructive pulmonary disease with MCC",
       "191": "Chronic obstructive pulmonary disease with CC", "192": "Chronic obstructive pulmonary disease without CC/MCC",
       "637": "Diabetes with MCC", "638": "Diabetes with CC", "682": "Renal failure with MCC", "683": "Renal failure with CC",
       "377": "GI hemorrhage with MCC", "378": "GI hemorrhage with CC", "438": "Disorders of pancreas except malignancy with MCC",
       "439": "Disorders of pancreas except malignancy with CC", "418": "Laparoscopic cholecystectomy without C.D.E. with CC",
       "419": "Laparoscopic cholecystectomy without C.D.E. without CC/MCC", "064": "Intracranial hemorrhage or cerebral infarction with MCC",
       "065": "Intracranial hemorrhage or cerebral infarction with CC or tPA in 24 hrs", "066": "Intracranial hemorrhage or cerebral infarction without CC/MCC",
       "308": "Cardiac arrhythmia and conduction disorders with MCC", "309": "Cardiac arrhythmia and conduction disorders with CC",
       "310": "Cardiac arrhythmia and conduction disorders without CC/MCC", "602": "Cellulitis with MCC", "603": "Cellulitis without MCC",
       "175": "Pulmonary embolism with MCC or acute cor pulmonale", "176": "Pulmonary embolism without MCC",
       "432": "Cirrhosis and alcoholic hepatitis with MCC", "433": "Cirrhosis and alcoholic hepatitis with CC",
       "896": "Alcohol, drug abuse or dependence without rehabilitation therapy with MCC",
       "897": "Alcohol, drug abuse or dependence without rehabilitation therapy without MCC",
       "640": "Miscellaneous disorders of nutrition, metabolism, fluids and electrolytes with MCC",
       "641": "Miscellaneous disorders of nutrition, metabolism, fluids and electrolytes without MCC",
       "280": "Acute myocardial infarction, discharged alive with MCC", "281": "Acute myocardial infarction, discharged alive with CC",
       "282": "Acute myocardial infarction, discharged alive without CC/MCC", "246": "Percutaneous cardiovascular procedures with drug-eluting stent with MCC or 4+ arteries/stents",
       "247": "Percutaneous cardiovascular procedures with drug-eluting stent without MCC", "385": "Inflammatory bowel disease with MCC",
       "386": "Inflammatory bowel disease with CC", "387": "Inflammatory bowel disease without CC/MCC",
       "092": "Other disorders of nervous system with CC", "091": "Other disorders of nervous system with MCC",
       "643": "Endocrine disorders with MCC", "644": "Endocrine disorders with CC", "521": "Hip replacement with principal diagnosis of hip fracture with MCC",
       "522": "Hip replacement with principal diagnosis of hip fracture without MCC", "470": "Major hip and knee joint replacement or reattachment of lower extremity without MCC",
       "469": "Major hip and knee joint replacement or reattachment of lower extremity with MCC", "595": "Major skin disorders with MCC",
       "596": "Major skin disorders without MCC", "388": "GI obstruction with MCC", "389": "GI obstruction with CC", "390": "GI obstruction without CC/MCC",
       "003": "ECMO or tracheostomy with MV >96 hours or principal diagnosis except face, mouth and neck with major O.R. procedure",
       "207": "Respiratory system diagnosis with ventilator support >96 hours", "208": "Respiratory system diagnosis with ventilator support <=96 hours",
       "765": "Cesarean section with CC/MCC", "766": "Cesarean section without CC/MCC", "775": "Vaginal delivery without complicating diagnoses",
       "795": "Normal newborn", "343": "Appendectomy without complicated principal diagnosis without CC/MCC", "330": "Major small and large bowel procedures with CC",
       "329": "Major small and large bowel procedures with MCC", "405": "Pancreas, liver and shunt procedures with MCC",
       "236": "Coronary bypass without cardiac catheterization without MCC", "235": "Coronary bypass without cardiac catheterization with MCC",
       "313": "Chest pain", "392": "Esophagitis, gastroenteritis and miscellaneous digestive disorders without MCC",
       "690": "Kidney and urinary tract infections without MCC", "689": "Kidney and urinary tract infections with MCC"}


def cpt(code=None, mod=None):
    code = code or ch(list(CPT))
    if mod is None and code in CPT_MODS and maybe(0.45):
        mod = ch(CPT_MODS[code])
    return K("CPT", code + ("-" + mod if mod else ""))


def cm(code=None):
    return K("ICD10CM", code or ch(list(ICD10CM)))


def pcs(code=None):
    return K("ICD10PCS", code or ch(list(ICD10PCS)))


def hcpcs(code=None):
    return K("HCPCS", code or ch(list(HCPCS)))


def loinc(code):
    return K("LOINC", code)


def ndc_fmt(code):
    a, b, c = code.split("-")
    v = ri(0, 5)
    if v == 0:  # 11-digit 5-4-2
        a, b, c = a.zfill(5), b.zfill(4), c.zfill(2)
        return f"{a}-{b}-{c}"
    if v == 1:
        return (a.zfill(5) + b.zfill(4) + c.zfill(2))
    return code


def ndc(item=None):
    name, code = item or ch(NDC)
    return K("NDC", ndc_fmt(code))


def snomed(code=None):
    return K("SNOMED", code or ch(list(SNOMED)))


def rxcui(code=None):
    return K("RXNORM", code or ch(list(RXNORM)))


def drg(code=None):
    return K("DRG", code or ch(list(DRG)))


def dev(name=None):
    return K("DEVICE_TERM", name or ch(DEVICES))


def org(name=None):
    return K("ORG_TERM", name or ch(ORGS))


def drug(name):
    return K("DRUG", name)


# ------------------------------------------------------------------ template engine
def _num(arg):
    rng_part, unit = arg.split("|")
    lo, hi = rng_part.split("~")
    if "." in lo or "." in hi:
        d = max(len(lo.split(".")[1]) if "." in lo else 0, len(hi.split(".")[1]) if "." in hi else 0)
        v = f"{rng.uniform(float(lo), float(hi)):.{d}f}"
    else:
        v = str(ri(int(lo), int(hi)))
    if unit.startswith("_"):
        return K("UNIT", v + unit[1:])
    return U(f"{v} {unit}")


DIRECTIVES = {
    "lab": lambda a: lab(a),
    "labl": lambda a: lab(a, loinc=True),
    "labn": lambda a: labn(a),
    "labv": lambda a: labv(a),
    "qlab": lambda a: qlab(),
    "score": lambda a: score(a),
    "med": lambda a: med(a),
    "medn": lambda a: med_name(a),
    "medg": lambda a: med_name(a, "g"),
    "medb": lambda a: med_name(a, "b"),
    "num": _num,
    "epx": lambda a: ep_ctx(a),
    "epr": lambda a: ep_rand(a),
    "eprc": lambda a: ep_rand(a, "cap"),
    "state": lambda a: state(a or None),
    "year": lambda a: year(*[int(x) for x in a.split("~")]) if a else year(),
    "age": lambda a: age_phrase(),
    "agen": lambda a: K("AGE", str(age_n(*(int(x) for x in a.split("~"))) if a else age_n())),
    "dev": lambda a: dev(),
    "org": lambda a: org(),
    "otc": lambda a: drug(ch(OTC)),
    "inh": lambda a: drug(ch(INHALERS)),
    "pen": lambda a: drug(ch(PENS)),
    "combo": lambda a: drug(ch(COMBOS)),
    "nnd": lambda a: drug(ch(NEAR_NAME_DRUGS)),
    "cpt": lambda a: cpt(a or None),
    "cm": lambda a: cm(a or None),
    "pcs": lambda a: pcs(a or None),
    "hcpcs": lambda a: hcpcs(a or None),
    "snomed": lambda a: snomed(a or None),
    "rxcui": lambda a: rxcui(a or None),
    "drg": lambda a: drg(a or None),
    "ch": lambda a: ch(a.split("/")),
}

_PH = re.compile(r"\{([A-Za-z_0-9]+)(?::([^{}]*))?\}")


def T(s, **kw):
    def rep(m):
        name, tok = m.group(1), m.group(2)
        if tok is None:
            if name in kw:
                v = kw[name]
                return v() if callable(v) else str(v)
            if name in DIRECTIVES:
                return DIRECTIVES[name]("")
            raise KeyError(name)
        if name in ("EP", "EPC", "EPU", "EPT"):
            return ep_key(tok, {"EP": None, "EPC": "cap", "EPU": "upper", "EPT": "title"}[name])
        if name in DIRECTIVES:
            return DIRECTIVES[name](tok)
        if name == "U":
            return U(tok)
        return K(name, tok)
    # expand twice so that {ch:...} results may contain placeholders
    out = _PH.sub(rep, s)
    if "{" in out:
        out = _PH.sub(rep, out)
    return out


def vitals(style_=None, o2=True, ems=False):
    style_ = style_ or ch(["line", "pipe", "kv", "abbr"])
    t = ch([U(f"{rf(36.3, 39.1)} °C", 0), K("UNIT", f"{rf(36.3, 39.1)}C"), U(f"{rf(97.4, 102.4)} °F", 0),
            K("UNIT", f"{rf(97.4, 102.4)}F")])
    hr = ri(58, 128)
    hrs = ch([K("UNIT", f"{hr} bpm"), str(hr), K("UNIT", f"{hr}/min")])
    sbp = ri(88, 182)
    dbp = ri(46, min(104, sbp - 28))
    bps = ch([K("UNIT", f"{sbp}/{dbp} mmHg"), f"{sbp}/{dbp}", K("UNIT", f"{sbp}/{dbp} mm Hg")])
    rr = ri(12, 30)
    spo2 = ri(86, 100)
    sp = K("UNIT", f"{spo2}%")
    o2s = ""
    if o2 and ems:
        o2s = ch([" RA", " on RA", " on " + U(f"{ri(2, 6)} L") + " NC", " on NRB " + U("15 L/min"), " on " + dev("CPAP"), ""])
    elif o2:
        o2s = ch([" RA", " on RA", " on " + U(f"{ri(1, 6)} L") + " " + dev("nasal cannula"),
                  " on " + U(f"{ri(2, 5)} L/min") + " NC", " on " + dev("BiPAP"),
                  " on " + dev("HFNC") + " " + U(f"{ri(30, 60)} L") + "/" + K("UNIT", f"{ri(35, 70)}%"), " room air", ""])
    if style_ == "pipe":
        return f"T {t} | HR {hrs} | BP {bps} | RR {rr} | SpO2 {sp}{o2s}"
    if style_ == "kv":
        return f"Temp: {t}\nHR: {hrs}\nBP: {bps}\nRR: {rr}\nSpO2: {sp}{o2s}"
    if style_ == "abbr":
        return f"T{t.replace(S + 'UNIT' + M, S + 'UNIT' + M, 1)} P{hrs} BP{bps} R{rr} O2{sp}{o2s}".replace("T" + S, "T " + S).replace("P" + S, "P " + S).replace("O2" + S, "O2 " + S)
    return f"T {t}, HR {hrs}, BP {bps}, RR {rr}, SpO2 {sp}{o2s}"


# ------------------------------------------------------------------ inpatient scenarios
SCEN = [
    dict(key="hf", dx="acute on chronic HFrEF exacerbation", dxp="a flare-up of your heart failure",
         icd=["I50.23", "I11.0", "N18.31", "Z95.810", "I48.91"], snomed="84114007", drg=["291", "292"],
         subj=["Breathing better, slept with {ch:2/3} pillows instead of {ch:4/5}. Net negative {num:1.2~2.8|L} overnight.",
               "Still orthopneic; weight down {num:1.1~2.4|kg}. Denies chest pain.",
               "Reports improved dyspnea on exertion; ambulated in hallway with PT."],
         exam=["JVP ~{num:9~14|cm} H2O, {EP:Kussmaul's sign} absent, bibasilar crackles, 2+ pitting edema",
               "S3 present, no {EP:Graham Steell murmur}, {EP:Cheyne-Stokes respiration} during sleep per RN"],
         labs=["BNP", "NTproBNP", "Cr", "K", "Na", "Mg", "hsTnI"],
         plan=["Diurese with {medg:furosemide} {U:80 mg} IV BID, goal net negative {U:1-2 L}/day",
               "GDMT: continue {med:carvedilol}; start {medb:sacubitril-valsartan} {U:24/26 mg} BID once Cr stable",
               "Add {med:empagliflozin} prior to discharge; check {labn:K} and {labn:Mg} daily, replete K to > {U:4.0 mmol/L}",
               "TTE ({cpt:93306}) ordered; last LVEF {num:20~35|_%} by {EP:Simpson's biplane method}",
               "Device: {DV:AICD} interrogated by {O:Electrophysiology}, no therapies delivered"],
         scores=["NYHA"], meds_dc=["furosemide", "sacubitril-valsartan", "empagliflozin", "spironolactone", "metoprolol succinate"],
         orgs=["Heart Failure Clinic", "Cardiology"],
         tips=["Weigh yourself every morning after urinating. Call the {O:Heart Failure Clinic} if you gain more than {U:2 lb} in a day or {U:5 lb} in a week.",
               "Limit salt to less than {U:2,000 mg} a day and fluids to about {U:2 L} a day."],
         icu=["{medg:furosemide} gtt {U:20 mg/hr}, {DV:BiPAP} 12/5 overnight", "{D:milrinone} {U:0.25 mcg/kg/min}, {EP:Swan-Ganz catheter} CI {U:1.9 L/min/m2} by {EP:Fick principle}"],
         pcs=[]),
    dict(key="copd", dx="acute exacerbation of COPD", dxp="a COPD flare-up",
         icd=["J44.1", "J96.02", "F17.210", "Z87.891"], snomed="13645005", drg=["190", "191", "192"],
         subj=["Cough improved, sputum now clear. Using {inh} less often.", "Wheezy overnight, needed 2 extra {D:DuoNeb} treatments."],
         exam=["diffuse expiratory wheeze, prolonged expiration, {EP:Hoover's sign} present", "pursed-lip breathing, accessory muscle use resolved, {EP:Schamroth's sign} negative"],
         labs=["pCO2", "pH", "WBC", "HCO3", "glucose"],
         plan=["{medg:prednisone} {U:40 mg} daily x 5 days (day {ch:2/3/4}/5)", "{medb:azithromycin} {U:500 mg} x1 then {U:250 mg} daily",
               "Scheduled {D:ipratropium-albuterol} q4h while awake; resume home {inh} at discharge",
               "{DV:BiPAP} overnight for hypercapnia, wean to {DV:nasal cannula} goal SpO2 {U:88-92%}",
               "Ambulatory O2 qualification before discharge; DME order {hcpcs:E1390} if qualifies"],
         scores=["GOLD", "mMRC", "CAT", "DECAF"], meds_dc=["prednisone", "azithromycin", "montelukast"],
         orgs=["Pulmonology", "Respiratory Therapy"],
         tips=["Use your rescue inhaler ({inh}) 2 puffs every 4 hours only if you need it.", "Finish all of your {medg:prednisone} tablets even if you feel better."],
         icu=["{DV:BiPAP} IPAP {U:14 cmH2O}/EPAP {U:6 cmH2O}, FiO2 {U:35%}", "continuous {D:albuterol} nebs {U:10 mg/hr}"],
         pcs=["5A1935Z"]),
    dict(key="cap", dx="community-acquired pneumonia, RLL", dxp="pneumonia (a lung infection)",
         icd=["J18.9", "J96.01", "E11.9"], snomed="233604007", drg=["193", "194", "195"],
         subj=["Fevers down, still with productive cough.", "Feels stronger, tolerating diet; O2 weaned overnight."],
         exam=["egophony and bronchial breath sounds RLL", "dullness to percussion R base; no {EP:Kerley B lines} on CXR"],
         labs=["WBC", "PCT", "lactate", "Na", "Cr"],
         plan=["{med:ceftriaxone} + {med:azithromycin}, day {ch:2/3/4} of 5", "Sputum {EP:Gram stain}: {ch:GPC in pairs/mixed flora/few PMNs}; blood cultures NGTD",
               "{qlab} and Legionella urine Ag negative", "Transition to {medg:amoxicillin-clavulanate} {U:875/125 mg} BID when afebrile {U:48 hours}",
               "Incentive spirometry; OOB to chair TID"],
         scores=["CURB-65", "PSI"], meds_dc=["amoxicillin-clavulanate", "azithromycin", "acetaminophen"],
         orgs=["Infectious Disease"],
         tips=["Take your antibiotic until it is gone.", "Use the {DV:incentive spirometer} 10 times every hour while awake."],
         icu=["{DV:HFNC} {U:50 L}/{U:60%}, SpO2 {U:92%}", "{medg:norepinephrine} {U:0.06 mcg/kg/min}"],
         pcs=[]),
    dict(key="sepsis", dx="sepsis secondary to acute pyelonephritis", dxp="a serious kidney infection that spread to your blood",
         icd=["A41.51", "N10", "R65.20", "N17.9"], snomed="91302008", drg=["871", "872"],
         subj=["Rigors resolved. Tolerating PO. Mild flank pain.", "More alert this AM, family at bedside."],
         exam=["R CVA tenderness, no {EP:Murphy's sign}", "warm extremities, cap refill < 2 s"],
         labs=["lactate", "WBC", "PCT", "Cr", "HCO3", "Plt"],
         plan=["{med:cefepime} narrowed to {med:ceftriaxone} per urine culture (pan-sensitive E. coli)", "Received {D:lactated Ringer's} {U:30 mL/kg}; MAP now > {U:65 mmHg}",
               "Renal US: no hydronephrosis; {EP:Foley catheter} removed, voiding trial passed", "Trend {labn:lactate} q6h until < {U:2 mmol/L}"],
         scores=["qSOFA", "SOFA"], meds_dc=["ciprofloxacin", "acetaminophen"], orgs=["ICU", "Infectious Disease"],
         tips=["Drink plenty of fluids.", "Finish the full course of your antibiotic."],
         icu=["{medg:norepinephrine} {U:0.12 mcg/kg/min} + {D:vasopressin} {U:0.03 units/min}", "{DV:arterial line} R radial, {DV:triple-lumen catheter} R IJ"],
         pcs=["02HV33Z", "3E033GC"]),
    dict(key="dka", dx="diabetic ketoacidosis", dxp="diabetic ketoacidosis (DKA), a dangerous high blood sugar emergency",
         icd=["E10.10", "E87.6", "Z79.4"], snomed="420422005", drg=["637", "638"],
         subj=["Nausea resolved, eating breakfast.", "Gap closed overnight; transitioned to SC insulin."],
         exam=["dry mucous membranes, {EP:Kussmaul respirations} resolved", "no abdominal tenderness"],
         labs=["glucose", "AG", "HCO3", "K", "bhb", "pH", "A1c"],
         plan=["Insulin infusion {U:0.1 units/kg/hr} stopped {U:2 hours} after {pen} {num:14~26|units}", "{med:potassium chloride} repletion, goal K {U:4-5 mEq/L}",
               "Resume {DV:Omnipod 5} with {DV:Dexcom G7} once eating; {O:Endocrinology} to review settings", "Diabetes education: sick-day rules, ketone strips"],
         scores=["GCS"], meds_dc=["insulin glargine", "insulin lispro"], orgs=["Endocrinology", "ICU"],
         tips=["Check your blood sugar before meals and at bedtime.", "If your sugar is over {U:300 mg/dL} twice in a row, check ketones and call us."],
         icu=["insulin gtt {U:0.1 units/kg/hr}, D5 1/2NS at {U:150 mL/hr}", "K {U:3.2 mEq/L} - replete with {medg:potassium chloride} {U:20 mEq} IV"],
         pcs=[]),
    dict(key="aki", dx="AKI on CKD stage 4", dxp="a sudden worsening of your kidney function",
         icd=["N17.9", "N18.4", "E87.5", "E11.22"], snomed="14669001", drg=["682", "683"],
         subj=["Urine output improving, {num:900~1600|mL} overnight.", "Appetite poor, no uremic symptoms."],
         exam=["euvolemic, no asterixis", "no pericardial rub"],
         labs=["Cr", "BUN", "K", "HCO3", "eGFR", "UACR"],
         plan=["Hold {medg:lisinopril} and {medg:spironolactone}; avoid NSAIDs incl. {D:Aleve}", "{D:sodium zirconium cyclosilicate} ({D:Lokelma}) {U:10 g} TID x 48 h for K",
               "CrCl ~{num:18~29|mL/min} by {EP:Cockcroft-Gault equation}; renally dose meds", "Differential includes {EP:Berger's disease} vs diabetic nephropathy; {O:Nephrology} following"],
         scores=["LACE"], meds_dc=["furosemide"], orgs=["Nephrology", "Dialysis Unit"],
         tips=["Do not take {D:ibuprofen}, {D:Advil}, {D:Motrin} or {D:Aleve}.", "Bring all of your pill bottles to your kidney appointment."],
         icu=["{DV:CRRT} via {DV:tunneled dialysis catheter}, UF {U:100 mL/hr}", "{EP:Quinton catheter} L IJ placed"],
         pcs=["5A1D90Z"]),
    dict(key="ugib", dx="upper GI bleed from gastric ulcer", dxp="bleeding from an ulcer in your stomach",
         icd=["K25.4", "D62", "K92.2"], snomed="37372002", drg=["377", "378"],
         subj=["No further melena. Tolerating clears.", "One dark stool overnight, hemodynamically stable."],
         exam=["epigastric tenderness, no rebound", "pale conjunctivae"],
         labs=["Hgb", "BUN", "INR", "Plt"],
         plan=["EGD ({cpt:43255}): {score:Forrest} ulcer, clipped; no {EP:Mallory-Weiss tear}, no {EP:Dieulafoy lesion}", "{medg:pantoprazole} {U:80 mg} IV bolus then {U:40 mg} IV BID x 72 h",
               "Transfuse for {labn:Hgb} < {U:7 g/dL}; received {U:2 units} pRBC", "H. pylori biopsy pending; {EP:Zollinger-Ellison syndrome} unlikely",
               "Hold {med:aspirin}; resume per GI"],
         scores=["Blatchford", "Rockall"], meds_dc=["pantoprazole", "sucralfate"], orgs=["Gastroenterology", "Endoscopy Suite"],
         tips=["Black or tarry stools, vomiting blood, or feeling faint are reasons to return to the {O:Emergency Department}.", "Avoid {D:Aleve}, {D:Advil} and {D:Excedrin Migraine}."],
         icu=["{medg:octreotide} gtt {U:50 mcg/hr}, {medg:pantoprazole} {U:40 mg} IV BID", "2 large-bore IVs, {U:1 unit} pRBC running; {EP:Sengstaken-Blakemore tube} at bedside"],
         pcs=["0DB68ZX", "30233N1"]),
    dict(key="panc", dx="acute gallstone pancreatitis", dxp="inflammation of your pancreas caused by gallstones",
         icd=["K85.10", "K80.20", "E78.5"], snomed="197456007", drg=["438", "439"],
         subj=["Pain {score:pain}, down from 9/10. Hungry.", "Nausea improved, advancing to low-fat diet."],
         exam=["epigastric tenderness, no {EP:Cullen's sign}, no {EP:Grey Turner's sign}", "mild guarding, {EP:Murphy's sign} negative"],
         labs=["lipase", "ALT", "Tbili", "TG", "Ca", "BUN"],
         plan=["Goal-directed {D:lactated Ringer's} at {U:150 mL/hr}", "MRCP: CBD stone near {EP:ampulla of Vater}; ERCP with {O:Gastroenterology}",
               "Pain: {med:hydromorphone}; antiemetic {med:ondansetron}", "Same-admission lap chole with {O:General Surgery}"],
         scores=["BISAP", "Ranson", "APACHE"], meds_dc=["acetaminophen", "oxycodone"], orgs=["General Surgery"],
         tips=["Eat small, low-fat meals.", "Do not drink alcohol."],
         icu=["{D:LR} {U:200 mL/hr}, {D:fentanyl} PCA", "bladder pressure {U:14 mmHg}"],
         pcs=["0FT44ZZ"]),
    dict(key="stroke", dx="acute ischemic stroke, R MCA", dxp="a stroke",
         icd=["I63.511", "I48.91", "E78.5", "I10"], snomed="422504002", drg=["064", "065", "066"],
         subj=["L arm weakness improving, speech clearer.", "No new deficits overnight; passed bedside swallow."],
         exam=["L pronator drift, L facial droop, {EP:Babinski sign} upgoing on L", "no {EP:Horner's syndrome}, no neglect"],
         labs=["LDL", "A1c", "glucose", "INR", "Plt"],
         plan=["s/p {D:TNKase} {U:0.25 mg/kg} in the {O:ED}; BP < {U:180/105 mmHg} x 24 h", "CTA: M2 occlusion, {EP:circle of Willis} otherwise patent",
               "{med:atorvastatin} high intensity, {med:aspirin} after 24-h CT", "{DV:Zio patch} vs {DV:loop recorder} for AF detection", "PT/OT/SLP; {O:Stroke Team} following"],
         scores=["NIHSS", "mRS", "GCS"], meds_dc=["atorvastatin", "aspirin", "apixaban"], orgs=["Stroke Team", "Neurology", "Neuro ICU"],
         tips=["Remember BE-FAST: Balance, Eyes, Face, Arm, Speech, Time. Call 911 right away.", "Take {medg:atorvastatin} every night."],
         icu=["neuro checks q1h, SBP goal < {U:180 mmHg}, {D:nicardipine} gtt {U:5 mg/hr}", "{DV:EVD} at 10 cmH2O, ICP {U:12 mmHg}"],
         pcs=["3E03317"]),
    dict(key="afib", dx="atrial fibrillation with RVR", dxp="a fast, irregular heartbeat called atrial fibrillation",
         icd=["I48.0", "I10", "E05.90"], snomed="49436004", drg=["308", "309", "310"],
         subj=["Palpitations resolved. HR 70s-90s overnight.", "Mild fatigue, no syncope."],
         exam=["irregularly irregular, no murmur", "no {EP:Ashman phenomenon} on tele review"],
         labs=["TSH", "K", "Mg", "Cr", "hsTnI"],
         plan=["Rate control: {med:diltiazem} (was on gtt {U:10 mg/hr}); add {med:metoprolol tartrate}", "Anticoagulation: {med:apixaban}",
               "No pre-excitation; {EP:WPW} not seen on baseline ECG ({cpt:93000})", "Consider DCCV ({cpt:92960}) after TEE vs {DV:Watchman FLX} referral"],
         scores=["CHA2DS2-VASc", "HAS-BLED"], meds_dc=["apixaban", "diltiazem", "metoprolol succinate"], orgs=["Electrophysiology", "Cardiology"],
         tips=["Do not skip doses of {medb:apixaban}.", "Avoid cold medicines with decongestants such as {D:Sudafed PE}."],
         icu=["{medg:diltiazem} gtt {U:15 mg/hr}, {D:amiodarone} bolus {U:150 mg}", "{DV:telemetry box}, pads on"],
         pcs=[]),
    dict(key="cell", dx="RLE cellulitis", dxp="a skin infection of your leg (cellulitis)",
         icd=["L03.115", "E11.65", "I87.2"], snomed="128045006", drg=["602", "603"],
         subj=["Erythema receding from marked border.", "Less pain, ambulating."],
         exam=["erythema to mid-shin, warmth, no crepitus, {EP:Homans' sign} negative", "positive {EP:Stemmer's sign} chronic lymphedema"],
         labs=["WBC", "CRP", "A1c", "Cr"],
         plan=["{med:cefazolin} -> {med:cephalexin} to complete 7 days", "Venous duplex ({cpt:93970}) negative for DVT", "No features of {EP:Fournier's gangrene} or NSTI", "{O:Wound Care} for interdigital tinea: {D:Lotrimin AF}"],
         scores=["LRINEC"], meds_dc=["cephalexin", "acetaminophen"], orgs=["Wound Care"],
         tips=["Keep your leg raised above heart level when sitting.", "Return if redness spreads past the marked line or you get a fever over {U:100.4 °F}."],
         icu=[], pcs=[]),
    dict(key="pe", dx="acute submassive pulmonary embolism", dxp="a blood clot in your lungs (pulmonary embolism)",
         icd=["I26.99", "I82.401"], snomed="59282003", drg=["175", "176"],
         subj=["Dyspnea improved, ambulating with {DV:nasal cannula}.", "Pleuritic pain better."],
         exam=["tachycardic, {EP:Homans' sign} positive RLE", "RV heave, loud P2"],
         labs=["ddimer", "hsTnI", "BNP", "Cr", "Plt"],
         plan=["{D:heparin} infusion {U:18 units/kg/hr}, anti-Xa goal {U:0.3-0.7 IU/mL}", "TTE: RV dilation, {EP:McConnell's sign}",
               "CTA with {EP:Hampton's hump} RLL, no {EP:Westermark sign}", "Transition to {medb:apixaban} {U:10 mg} BID x 7 d then {U:5 mg} BID", "{O:Pulmonary Embolism Response Team} consulted"],
         scores=["Wells", "PESI"], meds_dc=["apixaban"], orgs=["Pulmonary Embolism Response Team"],
         tips=["Walk a little every hour during long car or plane trips.", "Tell every dentist and doctor that you take a blood thinner."],
         icu=["{D:heparin} gtt, {EP:Virchow's triad} risk factors reviewed", "catheter-directed lysis with {D:alteplase} {U:1 mg/hr} per catheter"],
         pcs=["3E03317"]),
    dict(key="cirr", dx="decompensated alcohol-associated cirrhosis with hepatic encephalopathy", dxp="liver scarring (cirrhosis) that caused confusion",
         icd=["K70.31", "K76.82", "F10.20", "D69.6"], snomed="19943007", drg=["432", "433"],
         subj=["More alert, oriented x3, 3 BMs with {D:lactulose}.", "Asterixis resolved; abdomen less tight after tap."],
         exam=["spider angiomata, palmar erythema, {EP:Terry's nails}, {EP:Dupuytren's contracture} bilateral", "shifting dullness, no {EP:Kayser-Fleischer rings}"],
         labs=["ammonia", "INR", "Tbili", "Alb", "Na", "Cr"],
         plan=["{med:lactulose} titrate to 2-3 BMs, add {med:rifaximin}", "Paracentesis ({cpt:49083}) {num:4.5~7.5|L}, {D:albumin 25%} {U:25 g} given",
               "SBP ppx with {medg:ceftriaxone} while GIB not excluded", "Diuretics: {medg:spironolactone} {U:100 mg} + {medg:furosemide} {U:40 mg}",
               "{O:Hepatology} discussing transplant evaluation; {EP:Budd-Chiari syndrome} excluded on Doppler"],
         scores=["MELD", "Child-Pugh"], meds_dc=["lactulose", "rifaximin", "spironolactone", "furosemide"], orgs=["Hepatology"],
         tips=["Take {medg:lactulose} so that you have 2 to 3 soft stools each day.", "Do not drink any alcohol. Do not take more than {U:2,000 mg} of {D:Tylenol} in a day."],
         icu=["{D:lactulose} via {DV:NG tube} q2h, {D:rifaximin}", "{D:ceftriaxone} {U:1 g} daily for SBP"],
         pcs=["0W9G3ZZ"]),
    dict(key="etoh", dx="alcohol withdrawal", dxp="alcohol withdrawal",
         icd=["F10.239", "E83.42", "E51.2"], snomed="8635005", drg=["896", "897"],
         subj=["Tremor improved, slept a few hours.", "Mild anxiety, no hallucinations."],
         exam=["fine tremor, diaphoresis resolved", "no nystagmus or ataxia; low concern for {EP:Wernicke's encephalopathy}"],
         labs=["Mg", "Phos", "ethanol", "AST", "ALT", "Plt"],
         plan=["Symptom-triggered {med:lorazepam} per CIWA; {D:phenobarbital} load if refractory", "High-dose {medg:thiamine} {U:500 mg} IV TID x 3 d, {med:folic acid}",
               "Replete {labn:Mg} to > {U:2.0 mg/dL}", "{O:Addiction Medicine}: start {D:naltrexone} {U:50 mg} daily; {O:Social Work} for resources"],
         scores=["CIWA", "AUDIT-C"], meds_dc=["thiamine", "folic acid"], orgs=["Addiction Medicine", "Social Work"],
         tips=["Do not stop drinking suddenly on your own in the future without medical help.", "Take {medg:thiamine} every day."],
         icu=["{D:dexmedetomidine} {U:0.7 mcg/kg/hr}, CIWA q1h", "{D:phenobarbital} {U:10 mg/kg} IBW load"],
         pcs=[]),
    dict(key="hypona", dx="hyponatremia due to SIADH", dxp="low sodium in your blood",
         icd=["E87.1", "E22.2", "C34.90"], snomed="89627008", drg=["640", "641"],
         subj=["Less confused today. Headache gone.", "Tolerating fluid restriction."],
         exam=["euvolemic, no orthostasis", "no asterixis"],
         labs=["Na", "osm", "uosm", "TSH", "cortisol"],
         plan=["Fluid restriction {U:1.2 L}/day, {D:sodium chloride} tabs {U:1 g} TID", "Correction limit {U:8 mmol/L} per 24 h; {D:desmopressin} clamp if overcorrecting",
               "Low suspicion for {EP:Addison's disease} (AM cortisol normal) or {EP:Sheehan syndrome}", "Likely {EP:Schwartz-Bartter syndrome} from lung mass; CT chest pending"],
         scores=["GCS"], meds_dc=["tolvaptan"], orgs=["Nephrology", "Oncology"],
         tips=["Limit your fluids to about {U:1.2 L} a day.", "Get your sodium checked in 2 to 3 days."],
         icu=["{D:3% saline} {U:100 mL} bolus x1, Na q2h", "{D:desmopressin} {U:2 mcg} IV if Na rises > {U:8 mmol/L}"],
         pcs=[]),
    dict(key="nstemi", dx="NSTEMI", dxp="a heart attack",
         icd=["I21.4", "I25.10", "E78.5", "E11.9"], snomed="401314000", drg=["280", "281", "246", "247"],
         subj=["Chest pain free since admission.", "No recurrent angina after cath."],
         exam=["{EP:Levine's sign} on arrival per ED, now resolved", "radial site soft, {EP:Allen's test} normal preprocedure"],
         labs=["hsTnI", "LDL", "A1c", "Cr", "Hgb"],
         plan=["LHC ({cpt:93458}): 90% proximal LAD, DES x1 ({cpt:92928})", "DAPT: {med:aspirin} + {medb:ticagrelor} {U:90 mg} BID x 12 months",
               "{med:atorvastatin}; {med:metoprolol succinate}", "ECG initially with {EP:Wellens' syndrome} pattern; not meeting {EP:Sgarbossa criteria}", "Cardiac rehab referral"],
         scores=["HEART", "TIMI", "GRACE", "Killip"], meds_dc=["aspirin", "ticagrelor", "atorvastatin", "metoprolol succinate", "nitroglycerin"], orgs=["Cath Lab", "Cardiology"],
         tips=["If you have chest pain, take one {D:Nitrostat} under your tongue. If it is not better in 5 minutes, call 911.", "Never stop {medb:ticagrelor} unless your heart doctor tells you to."],
         icu=["{DV:Impella CP} P-level 8, flow {U:3.2 L/min}", "{DV:IABP} 1:1, {D:heparin} gtt"],
         pcs=["02703DZ", "B2111ZZ"]),
    dict(key="crohn", dx="Crohn's ileocolitis flare", dxp="a flare of your Crohn's disease",
         icd=["K50.812", "D50.9", "E44.0"], snomed="34000006", drg=["385", "386", "387"],
         subj=["{num:4~7|BMs} yesterday, less blood.", "Cramping improved on IV steroids."],
         exam=["RLQ tenderness, no peritoneal signs", "perianal skin tag, no fistula"],
         labs=["CRP", "ESR", "calpro", "Alb", "Hgb"],
         plan=["{med:methylprednisolone} day {ch:2/3/4}", "C. diff PCR negative; CTE shows terminal ileal thickening near {EP:Peyer's patches}-rich segment, no abscess",
               "Plan {D:infliximab} {U:5 mg/kg} induction vs {medb:ustekinumab}; TB QuantiFERON and HBV serologies sent", "VTE ppx {med:enoxaparin}"],
         scores=["Harvey-Bradshaw", "CDAI"], meds_dc=["prednisone", "ferrous sulfate"], orgs=["Gastroenterology"],
         tips=["Taper {medg:prednisone} exactly as written on your calendar.", "Call the GI clinic if you have more than 6 stools a day or blood in your stool."],
         icu=[], pcs=["0DBN8ZX"]),
    dict(key="gbs", dx="Guillain-Barré syndrome (AIDP)", dxp="Guillain-Barré syndrome, a nerve condition that causes weakness",
         icd=["G61.0"], snomed="40956001", drg=["091", "092"],
         subj=["Leg weakness stable, mild paresthesias.", "Able to stand with assist."],
         exam=["areflexia bilateral LE, no {EP:Babinski sign}", "no ophthalmoplegia to suggest {EP:Miller Fisher syndrome}"],
         labs=["CSFprot", "Na", "CK"],
         plan=["{D:IVIG} {U:0.4 g/kg}/day x 5 days (day {ch:2/3/4})", "NIF {U:-30 cmH2O}, FVC {num:1.8~3.2|L}: q6h; ICU if FVC < {U:20 mL/kg}",
               "LP: albuminocytologic dissociation", "VTE ppx {med:heparin}; {medg:gabapentin} for neuropathic pain"],
         scores=["Hughes"], meds_dc=["gabapentin"], orgs=["Neurology", "Neuro ICU", "Physical Therapy"],
         tips=["Call right away if you have trouble breathing or swallowing.", "Continue your {O:Physical Therapy} exercises daily."],
         icu=["NIF q4h, last {U:-22 cmH2O}; FVC {U:1.1 L}", "{D:IVIG} day 3/5; autonomic instability, {EP:Valsalva maneuver} testing deferred"],
         pcs=[]),
    dict(key="storm", dx="thyroid storm from Graves' disease", dxp="a severe overactive thyroid reaction",
         icd=["E05.01", "I48.91"], snomed="353295004", drg=["643", "644"],
         subj=["Less tremulous, afebrile overnight.", "HR now 90s, sleeping better."],
         exam=["diffuse goiter with bruit, lid lag, {EP:Pemberton's sign} negative", "proptosis c/w {EP:Graves' disease} ophthalmopathy"],
         labs=["TSH", "FT4", "T3", "glucose", "ALT"],
         plan=["{D:propylthiouracil} {U:200 mg} q4h, then {D:Lugol's solution} 1 h later", "{med:propranolol}; {med:hydrocortisone}",
               "Differential: {EP:Plummer's disease}, {EP:de Quervain's thyroiditis}; TRAb elevated", "{O:Endocrinology}: definitive RAI vs total thyroidectomy ({cpt:60240})"],
         scores=["Burch-Wartofsky"], meds_dc=["methimazole", "propranolol"], orgs=["Endocrinology", "ICU"],
         tips=["Take {medg:methimazole} every day. Call us for sore throat or fever.", "Do not use decongestants like {D:Sudafed PE}."],
         icu=["{D:esmolol} gtt {U:100 mcg/kg/min}", "cooling blanket, {D:acetaminophen} (avoid {D:aspirin})"],
         pcs=[]),
    dict(key="hipfx", dx="R femoral neck fracture after mechanical fall", dxp="a broken hip",
         icd=["S72.001A", "W19.XXXA", "M81.0"], snomed="5913000", drg=["521", "522"],
         subj=["Pain controlled with block.", "POD 1, OOB to chair with PT."],
         exam=["R leg shortened and externally rotated preop; dressing C/D/I", "no {EP:Trendelenburg sign} testing yet, NV intact distally"],
         labs=["Hgb", "Na", "vitD", "Cr"],
         plan=["s/p hemiarthroplasty ({cpt:27236}) via {EP:Hardinge approach}; {score:Garden}", "VTE ppx {med:enoxaparin} x 28 days",
               "Fascia iliaca block with {D:ropivacaine} {U:0.2%}; {med:acetaminophen}, {med:oxycodone}", "Osteoporosis: start {medg:alendronate} vs {medb:denosumab} after {labn:vitD} repleted"],
         scores=["ASA", "CFS"], meds_dc=["enoxaparin", "acetaminophen", "oxycodone", "cholecalciferol"], orgs=["Orthopaedics", "Geriatrics", "Physical Therapy"],
         tips=["Follow hip precautions: do not bend past 90 degrees.", "Inject {medb:enoxaparin} once daily for 4 weeks."],
         icu=[], pcs=["0SRR0J9"]),
    dict(key="sjs", dx="Stevens-Johnson syndrome", dxp="a severe skin reaction to a medicine",
         icd=["L51.1", "T42.6X5A"], snomed="73442001", drg=["595", "596"],
         subj=["Oral pain improving; tolerating liquids.", "No new blisters overnight."],
         exam=["dusky targetoid macules, {EP:Nikolsky sign} positive, {EP:Asboe-Hansen sign} positive", "conjunctival injection, oral erosions"],
         labs=["WBC", "HCO3", "glucose", "BUN"],
         plan=["Culprit likely {D:lamotrigine} (started 3 weeks ago) - permanently discontinued, allergy entered", "Transfer to {O:Burn Unit} if BSA > 10%",
               "{D:cyclosporine} {U:3 mg/kg}/day per {O:Dermatology}", "{O:Ophthalmology} daily; lubricating drops"],
         scores=["SCORTEN"], meds_dc=["levetiracetam"], orgs=["Dermatology", "Burn Unit"],
         tips=["Never take {D:lamotrigine} ({D:Lamictal}) again.", "Show your allergy card at every pharmacy."],
         icu=["BSA {U:12%}, fluids {U:2 mL/kg}/%BSA", "nonadherent dressings, eye care q2h"],
         pcs=[]),
    dict(key="adrenal", dx="adrenal crisis in known Addison's disease", dxp="a crisis from low adrenal hormones",
         icd=["E27.2", "E27.1", "A08.4"], snomed="363732003", drg=["643", "644"],
         subj=["BP improved on stress-dose steroids.", "Vomiting resolved."],
         exam=["hyperpigmented palmar creases and buccal mucosa", "dry mucosa"],
         labs=["Na", "K", "glucose", "cortisol"],
         plan=["{med:hydrocortisone} stress dose, taper to home {U:15 mg}/{U:5 mg}", "{med:fludrocortisone}", "Rule out {EP:Waterhouse-Friderichsen syndrome}: afebrile, no purpura",
               "Sick-day rules and {D:Solu-Cortef Act-O-Vial} {U:100 mg} IM kit"],
         scores=["GCS"], meds_dc=["hydrocortisone", "fludrocortisone"], orgs=["Endocrinology"],
         tips=["Double your {medg:hydrocortisone} dose on sick days with fever.", "Use your emergency injection if you are vomiting and cannot keep pills down."],
         icu=["{medg:hydrocortisone} {U:100 mg} IV q8h, NS {U:1 L} bolus", "glucose q1h"],
         pcs=[]),
    dict(key="sbo", dx="acute colonic pseudo-obstruction", dxp="a slowdown of your bowel (colonic pseudo-obstruction)",
         icd=["K59.81", "E87.6", "G20.A1"], snomed="4556007", drg=["388", "389", "390"],
         subj=["Passing flatus after neostigmine.", "Distension improved."],
         exam=["distended, tympanitic, no peritonitis", "hypoactive bowel sounds"],
         labs=["K", "Mg", "lactate", "WBC"],
         plan=["Dx {EP:Ogilvie syndrome}; cecum {num:9~12|cm} on KUB", "{D:neostigmine} {U:2 mg} IV with atropine at bedside, on tele",
               "{DV:NG tube} + {DV:rectal tube}; replete K and Mg", "{EP:Hirschsprung disease} and {EP:Richter's hernia} not suspected; hold {medg:oxycodone}"],
         scores=["NEWS2"], meds_dc=["polyethylene glycol 3350", "senna"], orgs=["General Surgery"],
         tips=["Walk several times a day.", "Use {D:MiraLAX} daily to keep stools soft."],
         icu=[], pcs=[]),
]
SCEN_BY_KEY = {s["key"]: s for s in SCEN}
scen_count = Counter()


def pick_scen(need_icu=False):
    cands = [s for s in SCEN if (s["icu"] or not need_icu)]
    m = min(scen_count[s["key"]] for s in cands)
    s = ch([c for c in cands if scen_count[c["key"]] == m])
    scen_count[s["key"]] += 1
    CUR["ovr"] = LAB_OVR.get(s["key"], {})
    return s


LAB_OVR = {
    "storm": {"TSH": (0.01, 0.05), "FT4": (3.2, 7.5), "T3": (320, 610)},
    "dka": {"glucose": (320, 640), "AG": (18, 32), "HCO3": (6, 14), "pH": (6.98, 7.22), "bhb": (4.0, 9.0), "K": (3.1, 5.9)},
    "hf": {"BNP": (800, 2900), "NTproBNP": (3000, 15000), "hsTnI": (8, 60)},
    "hypona": {"Na": (116, 128), "osm": (240, 268), "uosm": (350, 700), "cortisol": (12, 24), "TSH": (0.8, 3.5)},
    "adrenal": {"Na": (122, 131), "K": (5.2, 6.4), "glucose": (52, 78), "cortisol": (0.8, 3.0)},
    "aki": {"Cr": (2.8, 5.5), "K": (5.4, 6.4), "BUN": (45, 90), "eGFR": (9, 22), "HCO3": (14, 20)},
    "ugib": {"Hgb": (6.2, 8.4), "BUN": (38, 80), "INR": (1.0, 1.4)},
    "panc": {"lipase": (900, 4800), "TG": (90, 240), "Ca": (8.0, 9.4)},
    "cirr": {"ammonia": (80, 180), "INR": (1.6, 2.6), "Tbili": (2.5, 8.0), "Alb": (1.9, 2.8), "Na": (126, 134), "Plt": (42, 90)},
    "etoh": {"Mg": (1.1, 1.6), "ethanol": (180, 340), "AST": (90, 260), "ALT": (40, 120)},
    "nstemi": {"hsTnI": (120, 4800), "LDL": (110, 190)},
    "sepsis": {"lactate": (2.2, 5.8), "WBC": (14.0, 26.0), "PCT": (2.0, 22.0), "Cr": (1.4, 2.9)},
    "cap": {"WBC": (12.0, 21.0), "PCT": (0.5, 6.0)},
    "pe": {"ddimer": (1800, 9000), "hsTnI": (30, 300), "BNP": (150, 900)},
    "crohn": {"CRP": (3.0, 18.0), "calpro": (600, 1800), "Alb": (2.4, 3.3)},
    "gbs": {"CSFprot": (80, 260)},
    "cell": {"WBC": (11.0, 17.0), "CRP": (4.0, 14.0)},
    "stroke": {"glucose": (90, 180), "INR": (0.9, 1.2), "LDL": (100, 180)},
    "afib": {"TSH": (0.4, 3.8), "K": (3.4, 4.6), "hsTnI": (4, 40)},
    "copd": {"pCO2": (48, 78), "pH": (7.24, 7.36), "HCO3": (28, 36)},
    "hipfx": {"Hgb": (8.4, 11.6), "vitD": (8, 24)},
}


def dxcodes(sc, k=None, fmt=None):
    codes = sc["icd"]
    if k:
        codes = codes[:k]
    out = []
    for c in codes:
        desc = ICD10CM.get(c)
        if fmt == "desc" and desc:
            out.append(f"{desc} ({cm(c)})")
        else:
            out.append(cm(c))
    return out


# ================================================================== kinds
def chronic_line():
    return T(ch([
        "{EP:Hashimoto's thyroiditis} on {med:levothyroxine}",
        "T2DM ({cm:E11.65}) on {med:metformin}; {lab:A1c}",
        "HTN: {med:amlodipine}, {med:losartan}",
        "OSA on {DV:CPAP}, adherent",
        "{EP:Parkinson's disease} on {med:carbidopa-levodopa}; {score:Hoehn-Yahr}",
        "GERD / {EP:Barrett's esophagus} on {med:omeprazole}, surveillance EGD {year:2016~2023}",
        "Depression: {med:sertraline}; {score:PHQ-9}",
        "{EP:Raynaud's phenomenon}, avoid nonselective beta-blockers",
        "BPH on {med:tamsulosin}",
        "Gout: {med:allopurinol}; {lab:uric}",
        "{EP:Gilbert syndrome} - isolated indirect hyperbilirubinemia, no workup needed",
        "{EP:von Willebrand disease} type 1 - {D:desmopressin} before procedures",
        "Hypothyroidism; {lab:TSH}",
        "Chronic pain on {med:gabapentin}; PDMP ({state}) reviewed",
        "{EP:Ménière's disease} with episodic vertigo",
        "{EP:Dupuytren's contracture} R hand, {O:Orthopaedics} follow-up",
        "Osteoporosis, {medb:denosumab} since {year:2015~2023}",
        "{EP:Sjögren's syndrome} on {med:hydroxychloroquine}",
        "AF on {med:apixaban}; {score:CHA2DS2-VASc}",
        "CKD 3b ({cm:N18.32}); {lab:eGFR}",
    ]))


def k_ehr():
    sc = pick_scen()
    v = ch(["soap", "soap", "course", "consult", "results"])
    L = []
    if v == "results":
        L.append(ch(["RESULTS REVIEW (EHR export)", "Lab Results - Inpatient", "RESULT NOTE", "Labs Reviewed"]))
        L.append("Context: " + age_phrase() + " admitted with " + sc["dx"] + ".")
        keys = list(dict.fromkeys(sc["labs"] + sample(["Na", "K", "Cr", "BUN", "glucose", "Hgb", "WBC", "Plt", "Mg", "INR", "Alb", "ALT"], 4)))[:ri(4, 7)]
        L.append("| Component | Result | LOINC | Flag |")
        L.append("|---|---|---|---|")
        for k in keys:
            names, lo, hi, d, units, lc = LABS[k]
            val, units = lab_val(k)
            vs = U(f"{val} {ch(units)}", 0.25) if units else val
            L.append(f"| {K('LAB', ch(names))} | {vs} | {loinc(lc) if maybe(0.8) else '-'} | {flag_for(k, val)} |")
        L.append(T(ch(["Interpretation: " + ch(sc["plan"]), "Plan: " + ch(sc["plan"]), "Reviewed; " + ch(sc["plan"])])))
        if maybe(0.5):
            L.append(T("Vitals LOINC-coded: SBP ({loinc_a}) " + K("UNIT", f"{ri(96, 168)} mmHg") + ", HR ({loinc_b}) " + K("UNIT", f"{ri(58, 120)} bpm") + ", SpO2 ({loinc_c}) " + K("UNIT", f"{ri(88, 100)}%"),
                       loinc_a=lambda: loinc("8480-6"), loinc_b=lambda: loinc("8867-4"), loinc_c=lambda: loinc("59408-5")))
        L.append(ch(["Result acknowledged by covering physician.", "Patient notified via portal.", "Will trend in AM."]))
        return "\n".join(L)
    if v == "soap":
        hdr = ch(["HOSPITAL MEDICINE PROGRESS NOTE", "Progress Note - Internal Medicine", "DAILY PROGRESS NOTE (HOSPITALIST)",
                  "Medicine Teaching Service | Progress Note", "IM Wards Progress Note"])
        L.append(hdr)
        L.append(ch(["Hospital day {}".format(ri(2, 9)), "HD#{}".format(ri(2, 9)), "Inpatient day {}".format(ri(2, 9)),
                     "LOS: {} days".format(ri(2, 9))]))
        L.append("")
        L.append("S: " + T(ch(sc["subj"])))
        if maybe(0.25):
            L.append(T(ch(["Transferred from a critical access hospital in {state:name} for higher level of care.",
                           "Pt is visiting family from {state:full}; outside records requested.",
                           "Recently moved from {state:name}; prior cardiologist's notes scanned.",
                           "Insurance: {state:full} Medicaid; {O:Case Management} verifying SNF coverage."])))
        L.append("O: " + vitals())
        ex = T(ch(sc["exam"]))
        if maybe(0.6):
            ex += "; " + ep_ctx(["sign", "test", "murmur"], neg=True)
        if maybe(0.35):
            ex += "; " + T(ch(["no {EP:Argyll Robertson pupil}", "no {EP:Marcus Gunn pupil}", "{EP:Grey Turner's sign} absent",
                               "no {EP:Carey Coombs murmur}", "no {EP:Graham Steell murmur}", "bilateral {EP:Frank's sign} (diagonal earlobe crease)",
                               "no {EP:Janeway lesions} or {EP:Osler's nodes}", "{EP:Adam's apple} midline, trachea midline"]))
        L.append("Exam: " + ex)
        labs_ = sample(sc["labs"], ri(5, 7) if CUR["long"] else ri(2, 4))
        sep = ch([", ", "; ", " | "])
        L.append("Labs: " + sep.join(lab(k) for k in labs_))
        if maybe(0.3):
            L.append("Micro: " + K("LAB", ch(["blood cultures", "BCx x2", "urine culture", "sputum culture", "MRSA nares PCR", "C. diff PCR"])) + " " + ch(["NGTD", "pending", "negative", "no growth x 48 h"]))
        L.append("")
        L.append("A/P: " + age_phrase() + " with " + sc["dx"] + (" (" + ", ".join(dxcodes(sc, ri(1, 2))) + ")" if maybe(0.4) else "") + ", " + score(ch(sc["scores"])) + ".")
        for p in sample(sc["plan"], len(sc["plan"]) if CUR["long"] else ri(2, 3)):
            L.append(ch(["- ", "# ", "* "]) + T(p))
        if maybe(0.4) or CUR["long"]:
            L.append(ch(["- ", "# "]) + chronic_line())
        if CUR["long"]:
            L.append(ch(["- ", "# "]) + chronic_line())
        if maybe(0.15) or CUR["long"]:
            L.append("Active meds: " + "; ".join(med(m) for m in sample(sc["meds_dc"] + ["pantoprazole", "heparin", "acetaminophen", "senna", "docusate"], ri(4, 6))))
        if maybe(0.2) or CUR["long"]:
            L.append(T("Lines/drains: {DV:" + ch(["PICC line", "central line", "arterial line", "Port-a-Cath", "tunneled dialysis catheter"]) + "}; {EP:Foley catheter} {ch:removed/day 2/in place}; VTE ppx {medn:enoxaparin}"))
        L.append(ch(["Dispo: ", "Disposition: "]) + T(ch(["anticipate discharge home in 1-2 days", "likely {O:SNF}; {O:Case Management} aware",
                                                          "home with {O:Home Health}", "remain inpatient, {O:Telemetry}",
                                                          "Hope to discharge tomorrow if stable"])))
        L.append(ch(["Code status: Full code", "Code status: DNR/DNI (confirmed with patient)", "Code: Full", "FULL CODE"]))
        if maybe(0.35):
            L.append(ch(["Electronically signed by attending physician", "-- Signed, hospitalist attending --",
                         "[Note generated from IM Progress template]", "Attestation: seen and examined with resident; agree with plan."]))
    elif v == "course":
        L.append(ch(["DISCHARGE SUMMARY - BRIEF HOSPITAL COURSE", "Hospital Course (EHR export)", "Discharge Summary"]))
        L.append(ch(["Principal diagnosis: ", "Principal Dx: ", "PRINCIPAL DIAGNOSIS: "]) + sc["dx"] + " " + "(" + dxcodes(sc, 1)[0] + ")")
        sec = dxcodes(sc)[1:]
        if sec:
            L.append(ch(["Secondary: ", "Secondary diagnoses: "]) + ch([", ", "; "]).join(sec))
        L.append("")
        hc = age_phrase() + " admitted with " + sc["dx"] + ". " + T(ch(sc["plan"])) + ". " + T(ch(sc["plan"])) + "."
        if maybe(0.5):
            hc += " " + T(ch(sc["subj"]))
        L.append(hc)
        CUR["ovr"] = {}
        L.append("Key labs at discharge: " + ", ".join(lab(k) for k in sample(sc["labs"], 3)))
        L.append(ch(["Discharge meds changed: ", "Medication changes: ", "NEW/CHANGED MEDS: "]) +
                 "; ".join(med(m) for m in sample(sc["meds_dc"], ri(1, 3))))
        fu = [o for o in sc["orgs"] if "ICU" not in o and o not in ("Burn Unit", "Stroke Team", "Cath Lab", "Endoscopy Suite", "Pulmonary Embolism Response Team")] or ["Primary Care"]
        L.append("Follow-up: " + T("{O:" + ch(fu) + "}") + " in " + ch(["1 week", "2 weeks", "7-10 days"]) + "; " + T(ch(["{O:Primary Care} in 1 week", "labs ({L:BMP}) in 3 days", "repeat {L:CBC} at PCP"])))
        if maybe(0.5):
            L.append("Expected MS-DRG " + drg(ch(sc["drg"])) + " per " + org("Clinical Documentation Integrity") + ".")
    else:
        svc = ch(sc["orgs"])
        L.append(T("{O:" + svc + "} ") + ch(["CONSULT NOTE", "Consultation", "Initial Consult"]))
        L.append("Reason for consult: " + sc["dx"])
        L.append("HPI: " + age_phrase() + " " + ch(["admitted", "presenting"]) + " with " + sc["dx"] + ". " + T(ch(sc["subj"])) + " PMH notable for " + chronic_line() + ".")
        L.append("Exam: " + T(ch(sc["exam"])) + ".")
        L.append("Data: " + ", ".join(lab(k) for k in sample(sc["labs"], 3)) + ".")
        L.append("Recommendations:")
        for i, p in enumerate(sample(sc["plan"], ri(2, 4)), 1):
            L.append(f"{i}. " + T(p))
        L.append(ch(["Will follow along. Thank you for this consult.", "We will continue to follow.", "Please page with questions."]))
    return "\n".join(L)


def lower_chat(marked, p_drug=0.5):
    """lower-case the free text (and sometimes drug tokens) for chat-style messages"""
    def tok(label, t):
        if label in ("DRUG", "ORG_TERM") and maybe(p_drug):
            return t.lower()
        return t
    return seg_map(marked, lambda x: x.lower(), tok)


def k_portal():
    v = ri(0, 8)
    greet = ch(["Hi,", "Hello,", "Good afternoon,", "Hi there,", "", ""])

    def first(x):
        x = T(x)
        return (greet + " " + x) if greet else cap1(x)

    who = ch(["this is the nurse from the {O:Cardiology} clinic", "this is your nurse at {O:Primary Care}",
              "I'm one of the nurses with the {O:Endocrinology} team", "this is the {O:Anticoagulation Clinic} nurse",
              "the {O:Gastroenterology} nursing team here", "nurse triage line here", "this is the {O:Rheumatology} RN"])
    close = ch(["Thanks, Nurse Care Team", "- RN, clinic nursing", "Please reply here with any questions.",
                "Take care! -Nursing", "Let us know how you are doing.", "Reply to this message if anything changes."])
    body = []
    if v == 0:
        who = ch(["this is the nurse from the {O:Cardiology} clinic", "this is your nurse at {O:Primary Care}", "this is the {O:Nephrology} clinic nurse"])
        body.append(first(who + ". Your labs are back: {lab:K}, {lab:Cr}, {lab:Na}."))
        body.append(T(ch(["The potassium is a little high, so please hold your {medn:spironolactone} until we recheck a {L:BMP} next week.",
                          "Everything looks stable. Keep taking {med:lisinopril} as prescribed.",
                          "Your kidney number went up a bit. Please stop {D:Aleve} and {D:Advil} and drink water; recheck in 1 week."])))
    elif v == 1:
        who = ch(["this is the {O:Anticoagulation Clinic} nurse", "this is the pharmacist-nurse team at the {O:Anticoagulation Clinic}"])
        body.append(first(who + ". Your {L:INR} today was {ch:1.6/1.8/3.4/3.7/4.1}; goal is 2-3 for your {ch:mechanical valve/atrial fibrillation/DVT}."))
        body.append(T("Please take {medg:warfarin} {U:2.5 mg} tonight instead of {U:5 mg}, then go back to your usual dose. Recheck at the {O:Anticoagulation Clinic} next week."))
        body.append(T("Avoid {D:Aleve} and {D:Advil Liqui-Gels}; {D:Tylenol Extra Strength} is OK (no more than {U:3,000 mg} a day). Let us know about any new antibiotics such as {D:Bactrim DS}."))
    elif v == 2:
        body.append(first("here are your colonoscopy prep instructions ({cpt:45378}). Your doctor wants a split prep because of your {ch:{EP:Crohn's disease}/{EP:Lynch syndrome}/history of polyps/{EP:Peutz-Jeghers syndrome}}."))
        body.append(T("- The day before: clear liquids only. Mix {D:MiraLAX} {U:238 g} in {U:64 oz} of a clear sports drink; drink half in the early evening.\n- Take 4 {D:Dulcolax} {U:5 mg} tablets with the first half.\n- Hold {medb:semaglutide} for 1 week and {D:iron} tablets for 5 days before.\n- If you use {pen}, take half your usual dose the night before."))
    elif v == 3:
        body.append(first("good news - your ultrasound ({cpt:93970}) showed no blood clot. It did show a small {EP:Baker's cyst} behind your knee, which is common with arthritis."))
        body.append(T("You can use ice, {D:Voltaren Arthritis Pain gel} up to 4 times a day, and {medb:acetaminophen} if needed. {O:Physical Therapy} can help too."))
    elif v == 4:
        who = ch(["I'm one of the nurses with the {O:Endocrinology} team", "this is your diabetes nurse educator at {O:Endocrinology}"])
        body.append(first(who + ". I looked at your {DV:" + ch(["Dexcom G7", "FreeStyle Libre 3", "Dexcom G6", "Guardian 4 sensor"]) + "} readings: fasting numbers are running {num:150~210|mg/dL} with some lows around {U:60 mg/dL} after dinner."))
        body.append(T("The doctor would like you to increase your {drug_basal} to {num:16~30|units} at bedtime and cut your dinner {drug_bolus} by {U:2 units}. Your last {lab:A1c}.",
                      drug_basal=lambda: drug(ch(PEN_BASAL)), drug_bolus=lambda: drug(ch(PEN_BOLUS))))
        body.append(T("Remember the rule of 15: {U:15 g} of fast carbs, recheck in 15 minutes."))
    elif v == 5:
        pa = ch([("{D:Ozempic}", "keep taking your {med:metformin}", "E11.65", "{lab:A1c}"),
                 ("{D:Mounjaro}", "keep taking {med:metformin} and {medn:glipizide}", "E11.65", "{lab:A1c}"),
                 ("{D:Dupixent}", "keep using your {D:triamcinolone} {U:0.1%} cream", "L20.9", "{score:EASI}"),
                 ("{D:Repatha}", "continue {med:rosuvastatin} and {med:ezetimibe}", "E78.01", "{lab:LDL}"),
                 ("{D:Humira Pen}", "continue your {medg:prednisone} taper", "K50.90", "{lab:CRP}"),
                 ("{D:Trelegy Ellipta}", "keep using {D:Symbicort} and your {D:ProAir HFA}", "J44.1", "spirometry")])
        body.append(first("your prior authorization for " + pa[0] + " was {ch:approved/denied - we are appealing/still pending}."))
        body.append(T("The plan asked for your diagnosis code ({cm:" + pa[2] + "}) and your most recent " + pa[3] + ". In the meantime " + pa[1] + "."))
    elif v == 6:
        proc = ch(["{EP:Nissen fundoplication}", "{EP:Whipple procedure}", "{EP:Mohs surgery}", "{EP:Lapidus bunionectomy}",
                   "{EP:Bankart repair}", "{EP:Latarjet procedure}", "{EP:Heller myotomy}", "{EP:Roux-en-Y gastric bypass}"])
        body.append(first("a few reminders before your " + proc + ":"))
        body.append(T("1. Stop {medb:apixaban} 2 days before (last dose 48 hours prior).\n2. Stop {D:Aleve}, {D:fish oil} and {D:vitamin E} 7 days before.\n3. Take your {medn:metoprolol succinate} the morning of surgery with a sip of water.\n4. Do not take {medn:empagliflozin} for 3 days before surgery."))
        body.append(T("You will recover in the {O:PACU} before going to your room."))
    elif v == 7:
        a = age_n(50, 89)
        body.append(first("our records show you're due for some vaccines. Since you are " + K("AGE", str(a)) + ", we recommend {D:Shingrix} dose 2, {D:Prevnar 20}, and this season's flu shot ({cpt:90686})."))
        body.append(T("Your last {D:Tdap} was in {year:2008~2016}, so you're due for that too. If you had {EP:Guillain-Barré syndrome} after a prior flu shot, tell us first."))
    else:
        pt, rep = ch([
            ("my legs are swollen again and im up 3 lbs since yesterday",
             "thank you for letting us know. please take an extra {medg:furosemide} {U:40 mg} today, keep your salt low, and weigh again tomorrow. if you are short of breath go to the {O:Emergency Department}."),
            ("feeling dizzy when i stand up since the new pill",
             "that can happen with {medn:tamsulosin}. stand up slowly, drink fluids, and check your BP. if you faint or have a BP under {U:90/60 mmHg} call 911."),
            ("my sugar was 48 this morning, what do i do",
             "please treat with {U:15 g} of sugar (4 oz juice) now and recheck in 15 min. lower your {pen} by {U:2 units} tonight. we will call you today."),
            ("can i take mucinex with my blood pressure meds",
             "plain {D:Mucinex} (guaifenesin) is fine. avoid {D:Mucinex DM} max-strength and anything with a decongestant like {D:Sudafed PE}; {D:Coricidin HBP} is an option."),
            ("the drain site is a little red and leaking clear fluid",
             "some clear drainage from a {DV:Jackson-Pratt drain} site is normal. if the redness spreads, there is pus, or you have a fever over {U:101 °F}, call {O:General Surgery}."),
            ("is it ok to take tylenol pm with my eliquis",
             "yes, {D:Tylenol PM} is ok with {D:Eliquis}, but the diphenhydramine can make you dizzy at night. avoid {D:Advil PM} and {D:Aleve PM} because they raise bleeding risk."),
        ])
        body.append("Patient message: \"" + pt + "\"")
        body.append("Reply: " + T(rep))
    if maybe(0.35):
        body.append(T(ch(["P.S. your {L:lipid panel} showed {lab:LDL}; the doctor wants to increase {med:atorvastatin}.",
                          "P.S. we also refilled your {inh} and {otc}.",
                          "P.S. your {nnd} refill is ready; the pharmacy needs a new prior authorization next year.",
                          "P.S. your {lab:TSH} is normal on {med:levothyroxine}.",
                          "P.S. please bring your {DV:CPAP} card to the {O:Pulmonology} visit."])))
    body.append(T(close))
    out = "\n\n".join(b for b in body if b)
    if maybe(0.3):
        out = lower_chat(out.replace("\n\n", " "))
    return out.strip()


LLM_TOPICS = [
    ("Bell's palsy", "sudden weakness of the muscles on one side of the face caused by inflammation of the facial nerve",
     "Most people improve within a few weeks. If started within 72 hours, {medg:prednisone} (for example {U:60 mg} a day for 5 days) speeds recovery; {medg:valacyclovir} is sometimes added. Protect the eye with lubricating drops.",
     "A stroke can look similar. Go to the {O:Emergency Department} if your arm or leg is also weak, your speech is slurred, or your forehead is not spared."),
    ("Crohn's disease", "a chronic inflammatory bowel disease that can affect any part of the digestive tract, most often the end of the small intestine",
     "Treatment may include steroids such as {medg:budesonide}, and biologics such as {medb:adalimumab}, {D:Stelara} or {D:Skyrizi}. Your team will follow {L:CRP} and {lab:calpro}.",
     "Severe belly pain, fever, or vomiting with a swollen belly can mean a blockage or abscess."),
    ("Raynaud's phenomenon", "an exaggerated narrowing of small blood vessels in the fingers and toes in response to cold or stress",
     "Keep your whole body warm, avoid smoking, and limit decongestants such as {D:Sudafed PE}. A doctor may prescribe {medg:amlodipine} {U:5 mg} daily.",
     "Sores on the fingertips or a finger that stays white or blue needs prompt care. Your doctor may check an {L:ANA} to look for {EP:Sjögren's syndrome} or scleroderma."),
    ("Hashimoto's thyroiditis", "an autoimmune condition in which the immune system slowly damages the thyroid gland, often leading to hypothyroidism",
     "It is treated with {medg:levothyroxine} ({D:Synthroid}, {D:Levoxyl}). Take it on an empty stomach, 30-60 minutes before breakfast, and separate it from {D:Tums Ultra Strength} or iron by 4 hours. Your {L:TSH} is usually rechecked 6-8 weeks after a dose change.",
     "A rapid heartbeat, chest pain, or severe fatigue should be reported."),
    ("Graves' disease", "an autoimmune condition that makes the thyroid produce too much hormone",
     "Options include {medg:methimazole}, radioactive iodine, or surgery. {D:propranolol} can calm a racing heart. Labs usually include {L:TSH}, {L:free T4} and TSH receptor antibodies.",
     "Fever, confusion, or a very fast heartbeat may be thyroid storm - call 911."),
    ("Ménière's disease", "an inner-ear disorder that causes episodes of vertigo, ringing in the ear, fullness, and fluctuating hearing loss",
     "A low-salt diet (under {U:1,500 mg} sodium a day), {D:meclizine} during attacks, and sometimes {medg:hydrochlorothiazide} can help. An audiogram and sometimes an MRI are used to rule out other causes.",
     "Sudden hearing loss is an emergency - be seen the same day."),
    ("Barrett's esophagus", "a change in the lining of the lower esophagus caused by long-term acid reflux",
     "It is managed with a daily PPI such as {med:omeprazole} and regular surveillance EGD ({cpt:43239}) with biopsies, typically every 3-5 years if there is no dysplasia.",
     "Trouble swallowing, weight loss, or black stools should be checked promptly."),
    ("Baker's cyst", "a fluid-filled swelling behind the knee, usually linked to arthritis or a meniscus tear",
     "Ice, rest, {D:Voltaren Arthritis Pain gel} or {D:Aleve} (if safe for you), and treating the knee problem usually help. An ultrasound can confirm it.",
     "If the calf becomes suddenly swollen, red, and painful, the cyst may have ruptured or you may have a clot - get seen the same day."),
    ("Osgood-Schlatter disease", "irritation of the growth plate just below the kneecap in active, growing children",
     "Rest from jumping sports, ice after activity, and {D:ibuprofen} {U:10 mg/kg} (max {U:400 mg}) as needed. It usually resolves when growth finishes.",
     "Night pain, fever, or a limp that does not improve should be evaluated."),
    ("Dupuytren's contracture", "a thickening of tissue in the palm that gradually pulls one or more fingers into a bent position",
     "If the hand cannot lie flat on a table, options include needle aponeurotomy, collagenase injection, or surgery. It is more common with diabetes and in people of Northern European ancestry.",
     "Numbness or loss of circulation after a procedure needs urgent attention."),
    ("de Quervain's tenosynovitis", "inflammation of the tendons on the thumb side of the wrist",
     "A thumb spica splint, ice, {D:naproxen} if safe for you, and sometimes a steroid injection ({D:triamcinolone}) help. The {EP:Finkelstein's test} is commonly used to diagnose it.",
     "Fever or spreading redness over the wrist is not typical and should be checked."),
    ("Parkinson's disease", "a progressive brain disorder that affects movement, causing tremor, stiffness, and slowness",
     "{D:carbidopa-levodopa} ({D:Sinemet}) is the most effective medicine. Protein-rich meals can reduce absorption, so timing matters. {O:Physical Therapy} and exercise help balance. Staging often uses the {score:Hoehn-Yahr}.",
     "Sudden confusion, hallucinations, or falls should be reported. Avoid {D:haloperidol} and {D:metoclopramide}."),
    ("Addison's disease", "a condition in which the adrenal glands do not make enough cortisol and aldosterone",
     "It is treated with {medg:hydrocortisone} (often {U:15 mg} in the morning and {U:5 mg} in the afternoon) and {medg:fludrocortisone} {U:0.1 mg}. Carry an emergency injection kit.",
     "Vomiting, severe weakness, or fainting can be an adrenal crisis - use your emergency injection and call 911."),
    ("Guillain-Barré syndrome", "a rare condition in which the immune system attacks the nerves, causing rapidly spreading weakness",
     "It is treated in hospital with {D:IVIG} or plasma exchange; breathing is monitored closely, often in the {O:ICU}. Most people recover over months with {O:Physical Therapy}.",
     "Weakness that spreads up both legs over hours to days, or trouble breathing, needs emergency care."),
    ("Lynch syndrome", "an inherited condition that raises the risk of colon, endometrial, and some other cancers",
     "Colonoscopy is usually recommended every 1-2 years starting at age " + "{agen:20~25}" + ". Some people take {D:aspirin} after discussion with their doctor. Relatives can have genetic testing.",
     "Any rectal bleeding or change in bowel habits should be checked promptly."),
    ("Gilbert syndrome", "a harmless inherited condition in which the liver processes bilirubin more slowly",
     "No treatment is needed. Bilirubin may rise slightly with fasting or illness; other liver tests such as {L:ALT} and {L:AST} are normal.",
     "Dark urine, pale stools, or belly pain are not typical and should be evaluated."),
    ("Morton's neuroma", "a thickened nerve between the toes, usually the third and fourth, causing burning pain in the ball of the foot",
     "Wider shoes, a metatarsal pad, and sometimes a steroid injection help. Surgery is a last resort.",
     "Numbness spreading up the leg is not typical."),
    ("Sjögren's syndrome", "an autoimmune condition that mainly causes dry eyes and dry mouth",
     "Artificial tears, {D:pilocarpine} ({D:Salagen}) {U:5 mg} or {D:cevimeline}, and sometimes {medg:hydroxychloroquine} are used. The {EP:Schirmer test} measures tear production.",
     "A new lump in the neck or persistent swollen glands should be checked, because lymphoma is slightly more common."),
    ("Kawasaki disease", "an inflammatory illness of young children that affects blood vessels, including the coronary arteries",
     "It is treated in hospital with {D:IVIG} {U:2 g/kg} and {D:aspirin}; an echocardiogram checks the heart arteries.",
     "Fever for 5 or more days with red eyes, rash, cracked lips, or swollen hands in a young child needs urgent evaluation."),
    ("Peyronie's disease", "scar tissue inside the penis that causes a curve or pain with erections",
     "Options include observation, traction devices, {D:Xiaflex} injections, or surgery.",
     "Sudden severe pain with a popping sound is an emergency."),
    ("Achilles tendinopathy", "overuse injury of the {EP:Achilles tendon}",
     "Eccentric calf exercises, a heel lift, and relative rest are first-line. Avoid fluoroquinolones such as {D:Cipro} or {D:Levaquin} when possible.",
     "A sudden pop and trouble pushing off may be a rupture - the {EP:Thompson test} helps diagnose it."),
    ("Tourette syndrome", "a neurodevelopmental condition with motor and vocal tics lasting more than a year",
     "Behavioral therapy (CBIT) is first-line; {D:guanfacine} or {D:clonidine} are sometimes used.",
     "New weakness or loss of skills is not part of Tourette syndrome and should be evaluated."),
]


def k_llm():
    v = ri(0, 3)
    intro = ch(["I'm an AI assistant, not a doctor, but here is some general information.",
                "Great question - here's an overview.", "Thanks for asking. Here's what you should know:",
                "Here is a plain-language summary.", ""])
    disc = ch(["This is general information and not a substitute for advice from your own clinician.",
               "*Always check with your healthcare team before changing any medicine.*",
               "If you think you are having an emergency, call 911.",
               "Note: I can't see your records, so please confirm with your care team."])
    L = []
    if v in (0, 1):
        name, what, tx, red = ch(LLM_TOPICS)
        key = FORM2KEY.get(name)

        def ep_key(k, case=None, form=None, _n=name):
            if k is None:
                return K("EPONYM", style(_n, case))
            return globals()["ep_key"](k, case, form)
        q = ch(["what is {}?", "can you explain {} in simple terms", "my doctor said I might have {}. what does that mean?",
                "What is {} and how is it treated?"]).format("\x00")
        qtok = ep_key(key, form=name) if maybe(0.6) else ep_key(key)
        if maybe(0.5):
            L.append("**Q:** " + q.replace("\x00", qtok))
        if intro:
            L.append(intro)
        hd = ch(["### What it is", "**What it is**", "WHAT IT IS", "## Overview"])
        L.append(hd)
        L.append(ep_key(key, "cap" if maybe(0.5) else None) + " is " + what + ".")
        L.append(ch(["### Treatment", "**How it's treated**", "TREATMENT", "## Treatment options"]))
        L.append(T(tx))
        L.append(ch(["### When to get help", "**When to seek care right away**", "RED FLAGS", "## Warning signs"]))
        L.append(T(red))
        if maybe(0.6):
            L.append(T(ch(["Tests your clinician may order: {qlab}, {qlab} and a {L:CMP}.",
                           "Basic blood work such as a {L:CBC}, {L:TSH} and {L:ESR} is often checked first.",
                           "Sometimes imaging (for example an MRI, {cpt:70553}) is used to rule out other causes.",
                           "Your doctor may code the visit with an ICD-10 code such as {cm}; that's just for billing."])))
        if maybe(0.5):
            L.append(T(ch(["Guidelines were last updated in {year:2019~2024}.", "Most people are diagnosed between the ages of {agen:20~40} and {agen:50~70}.",
                           "It is more common in adults over {agen:50~65}.", "Related conditions include {epr:dz} and {epr:dz}."])))
    elif v == 2:
        pairs = [
            ("{D:Advil}", "{D:Eliquis}", "NSAIDs such as {D:ibuprofen} increase bleeding risk with blood thinners and can irritate the stomach.", "{D:acetaminophen} ({D:Tylenol}) up to {U:3,000 mg} a day"),
            ("{D:Aleve}", "{D:Xarelto}", "{D:naproxen} plus an anticoagulant raises the chance of stomach and intestinal bleeding.", "{D:Tylenol Extra Strength} or a {D:Lidoderm} patch"),
            ("{D:Sudafed PE}", "{D:Toprol XL}", "decongestants like {D:phenylephrine} can raise heart rate and blood pressure.", "saline spray, {D:Flonase Sensimist}, or {D:Coricidin HBP}"),
            ("{D:Benadryl Allergy}", "{D:Aricept}", "{D:diphenhydramine} is anticholinergic and works against {D:donepezil}; it also raises fall and confusion risk in adults over {agen:65~65}.", "{D:Zyrtec} or {D:Claritin}"),
            ("grapefruit juice", "{D:simvastatin}", "grapefruit blocks CYP3A4 and can raise statin levels, increasing the risk of muscle injury.", "switching to {D:rosuvastatin} or {D:pravastatin}, which are less affected"),
            ("{D:Pepto-Bismol}", "{D:warfarin}", "bismuth subsalicylate contains a salicylate that can add to bleeding risk and raise the {L:INR}.", "{D:Imodium A-D} for diarrhea"),
            ("{D:Tums Ultra Strength}", "{D:levothyroxine}", "calcium binds thyroid hormone and reduces absorption when taken at the same time.", "taking them at least 4 hours apart"),
            ("{D:Paxlovid}", "{D:simvastatin}", "{D:ritonavir} strongly inhibits CYP3A4; simvastatin levels can rise sharply.", "pausing {D:simvastatin} during the 5-day course and for 3 days after"),
            ("{D:St. John's wort}", "{D:sertraline}", "combining serotonergic products can rarely cause serotonin syndrome.", "talking with your prescriber about other options"),
            ("{D:Mucinex DM}", "{D:Lexapro}", "dextromethorphan is serotonergic and can add to {D:escitalopram}.", "plain {D:Mucinex} (guaifenesin) and honey"),
            ("{D:Claritin-D}", "{D:amlodipine}", "the pseudoephedrine in the -D product can raise blood pressure.", "plain {D:Claritin} or {D:Xyzal Allergy 24HR}"),
            ("{D:Excedrin Migraine}", "{D:Plavix}", "the aspirin in {D:Excedrin Migraine} adds to the antiplatelet effect of {D:clopidogrel}.", "{D:acetaminophen} alone; ask about {D:Nurtec ODT}"),
        ]
        a, b, why, safer = ch(pairs)
        L.append(T("**Q:** can i take " + a + " with my " + b + "?"))
        if intro:
            L.append(intro)
        L.append(T(ch([
            "**Short answer:** it's best to avoid that combination or use it only after checking with your pharmacist.",
            "Short answer: usually not without talking to your prescriber first.",
        ])))
        L.append(T("Why: " + why))
        L.append(T("Safer options: " + safer + " - ask your pharmacist. For adults over {agen:65~75}, doses are often lower."))
        if maybe(0.5):
            L.append(T("If you take {medn:apixaban} and notice black stools or vomit that looks like coffee grounds, go to the {O:Emergency Department}."))
    else:
        topic = ch(["a1c", "phq", "egfr", "ldl", "psa", "birads"])
        if topic == "a1c":
            L.append(T("**Q:** my {L:A1c} is {num:7.1~9.4|_%} and my doctor wants to add {ch:{D:Jardiance}/{D:Ozempic}/{D:Mounjaro}/{D:Januvia}}. is that normal?"))
            L.append(T("An {L:HbA1c} reflects your average blood sugar over about 3 months. For many adults the goal is under {U:7%}. Adding a medicine to {medg:metformin} is very common. {D:Jardiance} and {D:Ozempic} also lower heart and kidney risk. Side effects to watch for: genital yeast infections with SGLT2 inhibitors, nausea with GLP-1 drugs. Your team may also check {lab:eGFR} and {lab:UACR}."))
        elif topic == "phq":
            L.append(T("**Q:** what does a {score:PHQ-9} mean? they also did a {score:GAD-7}"))
            L.append(T("The {SC:PHQ-9} is a 9-question depression screen scored 0-27: 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20+ severe. The {SC:GAD-7} screens for anxiety (0-21). These are screening tools, not a diagnosis. Treatment may include therapy and medicines such as {med:sertraline} or {med:escitalopram}. If you have thoughts of harming yourself, call or text 988 right away."))
        elif topic == "egfr":
            L.append(T("**Q:** my {L:eGFR} went from 68 to {num:38~55|mL/min/1.73m2}. should i worry?"))
            L.append(T("{L:eGFR} estimates kidney filtering. A value of 45-59 is CKD stage 3a. Dehydration, NSAIDs like {D:Advil}, or starting {medg:lisinopril} or {medg:losartan} can lower it temporarily. Your doctor may repeat a {L:BMP} and check a {lab:UACR}. Medicines such as {D:Farxiga} can protect the kidneys."))
        elif topic == "ldl":
            L.append(T("**Q:** {L:LDL} {num:150~210|mg/dL}, do i need a statin? i'm {agen:40~75}"))
            L.append(T("It depends on your overall risk. Many guidelines recommend a statin such as {med:atorvastatin} when LDL is {U:190 mg/dL} or higher, or for adults aged {agen:40~40}-{agen:75~75} with diabetes. If LDL stays high, {D:ezetimibe} or {D:Repatha} may be added. A lipid panel ({cpt:80061}) is usually repeated 6-12 weeks after starting."))
        elif topic == "psa":
            L.append(T("**Q:** my {L:PSA} came back {num:4.2~9.8|ng/mL}. what happens next?"))
            L.append(T("A mildly raised {L:PSA} can come from an enlarged prostate, infection, or cancer. Next steps are often a repeat test and an MRI scored with the PI-RADS scale (a report might read {score:PI-RADS}). If a biopsy is done, results are graded with the Gleason system, for example {score:Gleason}. Medicines like {D:finasteride} lower PSA by about half."))
        else:
            L.append(T("**Q:** my mammogram says {score:BI-RADS}. what does that mean?"))
            L.append(T("BI-RADS runs from 0 to 6. {SC:BI-RADS 0} means more images are needed; {SC:BI-RADS 3} is probably benign with a short-interval follow-up; {SC:BI-RADS 4} means a biopsy is recommended. Dense breasts and {EP:Cooper's ligaments} can affect how images look. A diagnostic mammogram ({cpt:77065}) or ultrasound may be next."))
    L.append(disc)
    return "\n\n".join(x for x in L if x)


def k_pharm():
    v = ri(0, 6)
    hdr = ch(["PHARMACIST COUNSELING NOTE", "Clinical Pharmacist Note", "Pharmacy Consult", "MTM Encounter - Pharmacist",
              "Discharge Medication Counseling (PharmD)", "Ambulatory Pharmacy Visit"])
    L = [hdr]
    if v == 0:
        a = age_n(55, 89)
        wt = float(rf(48, 118))
        cr = float(rf(0.7, 2.4, 2))
        crcl = int(round((140 - a) * wt / (72 * cr)))
        n = int(a >= 80) + int(wt <= 60) + int(cr >= 1.5)
        L.append(T("Reason: new start {D:Eliquis} ({D:apixaban}) for nonvalvular AF; {score:CHA2DS2-VASc}, {score:HAS-BLED}."))
        L.append(T("Dose check: age " + K("AGE", str(a)) + ", wt " + U(f"{wt} kg") + ", " + K("LAB", ch(["SCr", "Cr", "creatinine"])) + " " + U(f"{cr:.2f} mg/dL")
                   + "; CrCl " + U(f"{crcl} mL/min") + " ({EP:Cockcroft-Gault})."))
        L.append(T(f"Meets {n} of 3 dose-reduction criteria (age >= 80, wt <= 60 kg, SCr >= 1.5) -> " + U("2.5 mg" if n >= 2 else "5 mg") + " BID."))
        L.append(T("Dispensed: NDC {ndcx} (RxCUI {rxcui:1364445}).", ndcx=lambda: ndc(NDC[0])))
        L.append(T("Counseled: missed dose, bleeding signs, avoid {D:Aleve}/{D:Advil}, use {D:Tylenol} for pain; no need for {L:INR} monitoring. Interaction screen: {combo} - no significant interaction."))
    elif v == 1:
        pen = ch(PEN_BASAL)
        L.append(T("Indication: T2DM ({cm:E11.65}), {lab:A1c} on {med:metformin}."))
        L.append(T("Started {pen_} {num:10~14|units} SC at bedtime; titrate by {U:2 units} every 3 days to fasting {L:BG} {U:80-130 mg/dL}.", pen_=lambda: drug(pen)))
        L.append(T("Technique reviewed: attach {U:4 mm} pen needle, prime {U:2 units}, hold 10 seconds, rotate sites. Teach-back successful."))
        L.append(T("Hypoglycemia: rule of 15, {D:glucose tablets} {U:4 g} each. {D:Baqsimi} {U:3 mg} nasal glucagon prescribed. {DV:" + ch(["FreeStyle Libre 3", "Dexcom G7", "glucometer"]) + "} supplies billed under {hcpcs:" + ch(["A4253", "A9276", "A4259"]) + "}."))
        if maybe(0.5):
            L.append(T("Dawn phenomenon vs Somogyi considered; {L:FSBG} log requested."))
    elif v == 2:
        inh, stren, sig = ch([("Symbicort", "160/4.5 mcg", "2 puffs BID"), ("Advair Diskus", "250/50 mcg", "1 inhalation BID"),
                              ("Trelegy Ellipta", "100/62.5/25 mcg", "1 inhalation daily"), ("Breo Ellipta", "100/25 mcg", "1 inhalation daily"),
                              ("Spiriva Respimat", "2.5 mcg", "2 inhalations daily"), ("Dulera", "200/5 mcg", "2 puffs BID"),
                              ("Breztri Aerosphere", "160/9/4.8 mcg", "2 puffs BID"), ("Wixela Inhub", "250/50 mcg", "1 inhalation BID"),
                              ("Stiolto Respimat", "2.5/2.5 mcg", "2 inhalations daily"), ("Anoro Ellipta", "62.5/25 mcg", "1 inhalation daily")])
        L.append(T("Dx: {ch:asthma ({cm:J45.50})/COPD ({cm:J44.1})}; {score:" + ch(["GOLD", "CAT", "mMRC"]) + "}; {score:" + ch(["CAT", "mMRC"]) + "}."))
        L.append(T("Controller: {inh_} {U:" + stren + "} " + sig + "; rescue: {resc}.", inh_=lambda: drug(inh),
                   resc=lambda: drug(ch(["ProAir HFA", "Ventolin HFA", "albuterol HFA", "Xopenex HFA", "Airsupra", "ProAir RespiClick"]))))
        L.append(T("Technique errors observed: no exhale before actuation, no breath-hold. Re-taught with placebo device + {DV:AeroChamber}. Rinse and spit after ICS."))
        L.append(T("Refill history: 4 rescue canisters in 3 months -> poorly controlled; message sent to {O:Pulmonology}. Smoking cessation: {D:NicoDerm CQ} {U:21 mg/24 hr} + {D:Nicorette gum} {U:2 mg} PRN ({cpt:99406})."))
    elif v == 3:
        L.append(T("Opioid safety review: {med:oxycodone} after {EP:" + ch(["Whipple procedure", "Nissen fundoplication", "Roux-en-Y gastric bypass", "Hartmann's procedure", "Lichtenstein repair"]) + "}; MME {num:30~60|mg}/day."))
        L.append(T("PDMP queried ({state:" + ch(["abbr", "full", "name"]) + "}): no overlapping controlled Rx; prior {D:Suboxone} {U:8/2 mg} film {year:2016~2021}."))
        L.append(T("Co-prescribed {D:Narcan} {U:4 mg} nasal spray (NDC {ndcx}). Bowel regimen: {med:senna} + {med:polyethylene glycol 3350}.", ndcx=lambda: ndc(NDC[15])))
        L.append(T("Counseled to avoid {D:alprazolam}, alcohol, and {D:Tylenol PM}; max {D:acetaminophen} {U:3 g}/day."))
    elif v == 4:
        L.append(T("Renal dosing / AMS pharmacokinetics: {med:vancomycin} for MRSA bacteremia."))
        L.append(T("Wt {num:62~110|kg}, {lab:Cr}, {lab:vanc}; AUC24 estimated {num:420~610|mg*h/L} (goal 400-600)."))
        L.append(T("Also on {med:piperacillin-tazobactam} - monitor for AKI; consider {medg:cefepime}. {O:Antimicrobial Stewardship} notified."))
        L.append(T("Next level before 4th dose; BMP daily. Billing {hcpcs:J3370} x {ch:2/3} units."))
    elif v == 5:
        L.append(T("OTC consult at counter: patient asked for cold medicine. Active meds: {med:amlodipine}, {med:metoprolol succinate}, {med:sertraline}."))
        L.append(T("Recommended {D:Coricidin HBP} or {D:Mucinex} (guaifenesin {U:600 mg} q12h), saline spray, {D:Tylenol Extra Strength} PRN. Avoid {D:Sudafed PE}, {D:DayQuil}, {D:Mucinex DM} (dextromethorphan with {D:Zoloft})."))
        L.append(T("Also purchasing {otc} and {otc}; no interactions."))
    else:
        g1, d1, d2, nd, rx_ = ch([("Ozempic", "0.25 mg", "0.5 mg", 5, "1991302"), ("Mounjaro", "2.5 mg", "5 mg", 27, "2601723"),
                                  ("Trulicity", "0.75 mg", "1.5 mg", 10, "1488564"), ("Victoza", "0.6 mg", "1.2 mg", None, "475968")])
        L.append(T("GLP-1 RA start: {D:" + g1 + "} for T2DM, BMI {num:31.0~44.9|kg/m2}."))
        L.append(T("Titration: {U:" + d1 + "} x 4 weeks, then {U:" + d2 + "}" + ("; pen NDC {ndcx}." if nd is not None else "."), ndcx=lambda: ndc(NDC[nd])))
        L.append(T("Screened: no personal/family history of MTC or MEN2; no h/o pancreatitis. Discussed nausea, holding before procedures with sedation, and pairing with {D:metformin}."))
        L.append(T("Prior auth submitted with {cm:E11.65}, {cm:E66.01}; RxCUI {rxcui:" + rx_ + "}."))
    L.append(ch(["Time spent: 15 minutes.", "Total counseling time 20 min.", "Patient verbalized understanding.", "Teach-back completed; questions answered."]))
    return "\n".join(L)


PA_ITEMS = [
    dict(drug="{D:Dupixent} ({D:dupilumab}) {U:300 mg}/{U:2 mL} pen", dx=["L20.9"], codes="NDC {ndcx0}", ndc=20, age=(19, 64), spec='Dermatology',
         hist="moderate-to-severe atopic dermatitis since childhood, {score:EASI}, {score:IGA}, BSA {num:15~40|_%}",
         tried="{D:triamcinolone} {U:0.1%} ointment, {D:tacrolimus} {U:0.1%} ointment, and {D:Eucrisa} for more than 12 weeks without adequate control"),
    dict(drug="{D:Humira} ({D:adalimumab}) {U:40 mg} every 2 weeks", dx=["K50.90"], codes="NDC {ndcx0}", ndc=21, age=(19, 60), spec='Gastroenterology',
         hist="{EP:Crohn's disease} of the terminal ileum, {score:Harvey-Bradshaw}, {lab:CRP}, {lab:calpro}",
         tried="{D:budesonide} {U:9 mg} daily and {D:azathioprine} {U:2.5 mg/kg} with persistent disease"),
    dict(drug="{D:Mounjaro} ({D:tirzepatide}) {U:5 mg} weekly", dx=["E11.65", "E66.01", "Z68.41"], codes="NDC {ndcx0}", ndc=27, age=(30, 72), spec='Endocrinology',
         hist="type 2 diabetes with {lab:A1c} and BMI {num:40.0~44.9|kg/m2}",
         tried="{D:metformin} {U:1,000 mg} BID, {D:Jardiance} {U:25 mg}, and {D:glipizide}"),
    dict(drug="{D:Repatha} ({D:evolocumab}) {U:140 mg} every 2 weeks", dx=["E78.01", "I25.10"], codes="NDC {ndcx0}", ndc=28, age=(35, 74), spec='Cardiology',
         hist="heterozygous familial hypercholesterolemia with {lab:LDL} on maximally tolerated therapy; s/p PCI",
         tried="{D:rosuvastatin} {U:40 mg} plus {D:ezetimibe} {U:10 mg} for 6 months; {D:atorvastatin} caused myalgias with {L:CK} elevation"),
    dict(drug="CPAP device ({hcpcs:E0601}) with heated humidifier ({hcpcs:E0562}) and full face mask ({hcpcs:A7030})", dx=["G47.33"], codes="{cpt:95810}", age=(30, 80), spec="Pulmonology",
         hist="obstructive sleep apnea on in-lab polysomnography with AHI {num:18~64|events/h}, nadir SpO2 {num:72~86|_%}, {score:Epworth}",
         tried="positional therapy and weight loss"),
    dict(drug="MRI lumbar spine without contrast ({cpt:72148})", dx=["M54.16", "M54.50"], codes="{cpt:97110}", age=(25, 75), spec="Orthopaedics",
         hist="lumbar radiculopathy with positive straight-leg raise ({EP:Lasègue's sign}) and L5 weakness",
         tried="6 weeks of {O:Physical Therapy} ({cpt:97110}, {cpt:97161}), {D:naproxen} {U:500 mg} BID, and {D:gabapentin} {U:300 mg} TID"),
    dict(drug="{D:Prolia} ({D:denosumab}) {U:60 mg} SC every 6 months ({hcpcs:J0897} x 60 units)", dx=["M81.0"], codes="NDC {ndcx0}", ndc=23, age=(60, 89), spec='Endocrinology',
         hist="osteoporosis with T-score {ch:-2.9/-3.1/-3.4} at the femoral neck and a prior {EP:Colles' fracture}",
         tried="{D:alendronate} {U:70 mg} weekly (esophagitis) and IV {D:zoledronic acid} (acute phase reaction)"),
    dict(drug="{D:Botox} ({D:onabotulinumtoxinA}) {U:155 units} ({hcpcs:J0585}; {cpt:64615})", dx=["G43.709"], codes="NDC {ndcx0}", ndc=32, age=(22, 60), spec='Neurology',
         hist="chronic migraine with 18 or more headache days a month",
         tried="{D:topiramate} {U:100 mg}, {D:propranolol} {U:80 mg}, {D:amitriptyline} {U:25 mg}, and {D:Aimovig} {U:140 mg}"),
    dict(drug="continuous glucose monitor (sensors {hcpcs:A9276}, transmitter {hcpcs:A9277}) and {DV:Omnipod 5}", dx=["E10.65", "Z79.4"], codes="{hcpcs:E0784}", age=(19, 60), spec="Endocrinology",
         hist="type 1 diabetes on multiple daily injections ({D:Tresiba FlexTouch} and {D:Humalog KwikPen}) with recurrent hypoglycemia below {U:54 mg/dL}",
         tried="fingerstick monitoring 6 times daily"),
    dict(drug="{D:Keytruda} ({D:pembrolizumab}) {U:200 mg} IV every 3 weeks ({hcpcs:J9271} x 200 units)", dx=["C34.90"], codes="NDC {ndcx0}", ndc=22, age=(48, 86), spec='Oncology',
         hist="stage IV non-small cell lung cancer, PD-L1 TPS {num:50~90|_%}, EGFR/ALK negative, {score:ECOG}",
         tried="no prior systemic therapy; reviewed at {O:Multidisciplinary Tumor Board}"),
    dict(drug="total knee arthroplasty, right ({cpt:27447}-RT)", dx=["M17.11"], codes="{hcpcs:L1833}", age=(52, 84), spec="Orthopaedics",
         hist="end-stage osteoarthritis, {score:Kellgren-Lawrence} on weight-bearing films, BMI {num:28.0~38.0|kg/m2}",
         tried="{D:meloxicam}, intra-articular {D:triamcinolone} {U:40 mg} ({cpt:20610}), hinged brace, and 12 weeks of {O:Physical Therapy}"),
    dict(drug="{D:Eylea} ({D:aflibercept}) {U:2 mg} intravitreal ({hcpcs:J0178})", dx=["H35.3211"], codes="{cpt:66984}", age=(62, 89), spec="Ophthalmology",
         hist="neovascular age-related macular degeneration, right eye, {EP:Amsler grid} distortion and subretinal fluid on OCT",
         tried="{D:bevacizumab} ({hcpcs:J9035}) x 3 with persistent fluid"),
    dict(drug="{D:Nucala} ({D:mepolizumab}) {U:100 mg} SC every 4 weeks ({hcpcs:J2182})", dx=["J45.50"], codes="NDC {ndcx0}", ndc=30, age=(22, 70), spec='Pulmonology',
         hist="severe eosinophilic asthma, blood eosinophils {num:320~900|cells/uL}, 3 oral steroid bursts in 12 months",
         tried="high-dose {D:Trelegy Ellipta}, {D:montelukast} {U:10 mg}, and {D:Spiriva Respimat}"),
]


def k_pa():
    it = ch(PA_ITEMS)
    ndcx0 = (lambda: ndc(NDC[it["ndc"]])) if "ndc" in it else (lambda: "")
    L = []
    L.append(ch(["RE: Prior Authorization Request", "RE: REQUEST FOR PRIOR AUTHORIZATION", "Subject: Letter of Medical Necessity",
                 "PRIOR AUTHORIZATION - LETTER OF MEDICAL NECESSITY", "Re: Expedited coverage request"]))
    L.append(T("Requested: " + it["drug"]))
    dxs = [f"{cm(c)} {ICD10CM[c]}" if maybe(0.5) else cm(c) for c in it["dx"]]
    L.append("Diagnosis: " + ch(["; ", ", ", " | "]).join(dxs))
    cl = T(it["codes"], ndcx0=ndcx0)
    if cl:
        L.append(ch(["Supporting code: ", "Related: ", "Also billed: "]) + cl)
    L.append("")
    L.append(ch(["To the Medical Director, Utilization Management:", "Dear Reviewer:", "To Whom It May Concern:", "Dear Pharmacy Benefit Reviewer,"]))
    p1 = T("I am writing on behalf of " + age_np(lo=it["age"][0], hi=it["age"][1]) + " under my care to request coverage of the above. The patient has " + it["hist"] + ".")
    p2 = T("Prior therapies tried and failed or not tolerated: " + it["tried"] + ".")
    p3 = T(ch([
        "This request is consistent with current specialty society guidelines (updated {year:2020~2024}) and the plan's own criteria.",
        "Under {state:full} step-therapy exception law, a prior trial of the same drug class documented in the record satisfies the requirement.",
        "The patient recently moved from {state:name} and was stable on this therapy under the prior plan; interruption risks relapse.",
        "Delay in therapy is expected to result in hospitalization; please treat this as an expedited review per {state:full} regulations.",
    ]))
    L += [p1, p2, p3]
    if CUR["long"]:
        L.append(T("Objective data: {lab:Cr}, {lab:ALT}, {lab:Hgb}, {lab:Plt}."))
        L.append(T("Additional history: {chronic}. {chronic}. Reviewed by the {O:Pharmacy and Therapeutics Committee} formulary criteria ({year:2022~2024} edition).", chronic=chronic_line))
    if maybe(0.5):
        L.append(T(ch(["Comorbidities: {chronic}; {chronic}.", "Comorbidities: {chronic}.", "Most recent labs: {lab:Cr}, {lab:ALT}, {lab:Hgb}."],
                      ), chronic=chronic_line))
    L.append(ch(["Please contact the prescribing clinic through the provider portal with any questions.",
                 "Chart notes and lab results are attached.", "Thank you for your prompt review."]))
    L.append(T(ch(["Sincerely,\nTreating physician, {O:" + it["spec"] + "}", "Sincerely,\n{O:" + it["spec"] + "} attending",
                   "Respectfully,\nAttending physician", "Sincerely,\nOrdering provider, {O:Primary Care}"])))
    return "\n".join(L)


OPS = [
    dict(name="Laparoscopic cholecystectomy", dx=["K80.00", "K81.0"], cpt=["47562"], pcs=["0FT44ZZ"], age=(24, 82),
         ind="symptomatic cholelithiasis with acute cholecystitis; {EP:Murphy's sign} positive and {EP:sonographic Murphy sign} on US",
         steps=["Pneumoperitoneum via {EP:Hasson technique} at the umbilicus (alternatively {EP:Veress needle}); {U:15 mmHg}.",
                "Patient placed in {EP:reverse Trendelenburg} with left side down.",
                "The fundus was retracted cephalad; {EP:Calot's triangle} dissected to obtain the critical view of safety.",
                "Cystic duct and artery clipped and divided; gallbladder removed from the liver bed with {EP:Bovie electrocautery}, avoiding {EP:Glisson's capsule}.",
                "Specimen extracted in an {DV:Endo Catch bag}; fascia closed with {DV:0 Vicryl}.",
                "Port sites infiltrated with {D:bupivacaine} {U:0.25%} {U:20 mL}; skin closed with {DV:Monocryl} and {DV:Dermabond}."],
         drains=["None", "{U:19 Fr} {EP:Blake drain} in {EP:Morison's pouch}", "{DV:Jackson-Pratt drain} to bulb suction"],
         ebl=(5, 40)),
    dict(name="Laparoscopic appendectomy", dx=["K35.80"], cpt=["44970"], pcs=["0DTJ4ZZ"], age=(8, 70),
         ind="acute appendicitis, {score:Alvarado}, maximal tenderness at {EP:McBurney's point tenderness} with {EP:Rovsing's sign}",
         steps=["Three-port technique; {EP:Trendelenburg position}, right side up.",
                "Inflamed, nonperforated appendix; mesoappendix divided with {DV:Endo GIA stapler}.",
                "Base stapled; no {EP:Meckel's diverticulum} on inspection of the distal ileum.",
                "Pelvis irrigated, fluid evacuated from the {EP:pouch of Douglas}.",
                "Specimen to {O:Surgical Pathology}."],
         drains=["None"], ebl=(2, 25)),
    dict(name="Open left inguinal hernia repair with mesh ({EP:Lichtenstein repair})", dx=["K40.90"], cpt=["49505"], pcs=["0YU50JZ"], age=(30, 85),
         ind="reducible symptomatic indirect inguinal hernia",
         steps=["Oblique incision; {EP:Scarpa's fascia} and {EP:Camper's fascia} divided.",
                "Indirect sac dissected off the cord and high ligated; floor of {EP:Hesselbach's triangle} intact.",
                "{DV:Prolene mesh} secured to the shelving edge of {EP:Poupart's ligament} and the pubic tubercle.",
                "Ilioinguinal nerve identified and preserved.",
                "Local: {D:lidocaine} {U:1%} with epinephrine {U:20 mL}."],
         drains=["None"], ebl=(5, 20)),
    dict(name="Right total knee arthroplasty", dx=["M17.11"], cpt=["27447"], pcs=["0SRC0J9"], age=(50, 88),
         ind="end-stage osteoarthritis, {score:Kellgren-Lawrence}, failed conservative care",
         steps=["Tourniquet inflated to {U:250 mmHg}; medial parapatellar arthrotomy.",
                "Distal femoral and proximal tibial cuts with intramedullary and extramedullary guides; {EP:Hohmann retractor} protection of the collaterals.",
                "Cemented components placed; {D:tranexamic acid} {U:1 g} IV at incision and closure.",
                "Periarticular injection: {D:ropivacaine} {U:0.2%}, {D:ketorolac} {U:30 mg}, {D:epinephrine}.",
                "{DV:Aquacel dressing}; {DV:SCDs} contralateral leg; {D:cefazolin} {U:2 g} within 60 minutes of incision."],
         drains=["None", "{DV:Hemovac}"], ebl=(100, 300)),
    dict(name="Right hip hemiarthroplasty", dx=["S72.001A"], cpt=["27236"], pcs=["0SRR0J9"], age=(65, 89),
         ind="displaced femoral neck fracture, {score:Garden}, after a ground-level fall; in {EP:Buck's traction} preoperatively",
         steps=["Lateral decubitus; {EP:Hardinge approach} (alternatively {EP:Smith-Petersen approach} considered).",
                "Femoral head extracted; calcar preserved; broach to size 4.",
                "Cemented bipolar prosthesis; stable through range of motion.",
                "Abductors repaired; {EP:Trendelenburg gait} counseling documented postop."],
         drains=["None"], ebl=(150, 450)),
    dict(name="Repeat low transverse cesarean delivery", dx=["O34.211", "Z3A.39"], cpt=["59510", "59514"], pcs=["10D00Z1"], age=(19, 44),
         ind="history of prior cesarean, declined TOLAC; {score:Bishop}",
         steps=["{EP:Pfannenstiel incision}; {DV:Alexis retractor} placed.",
                "{EP:Kerr hysterotomy}; infant delivered from vertex with fundal pressure.",
                "Infant to {O:NICU} team; {score:Apgar}; weight {num:2900~4100|g}.",
                "{D:oxytocin} {U:30 units} in {U:500 mL} infusion; {D:Pitocin} titrated; {D:carboprost} not needed.",
                "Uterus closed in two layers; {EP:Bakri balloon} available but not used; {EP:fallopian tube} and ovaries normal."],
         drains=["None"], ebl=(500, 1100)),
    dict(name="Pancreaticoduodenectomy ({EP:Whipple procedure})", dx=["C25.0"], cpt=["48150"], pcs=["0FBG0ZZ"], age=(45, 84),
         ind="pancreatic head adenocarcinoma, resectable per {O:Multidisciplinary Tumor Board}; {lab:CA199}",
         steps=["Bilateral subcostal incision; {EP:Bookwalter retractor}.",
                "Extended {EP:Kocher maneuver}; no liver metastases; {EP:ligament of Treitz} mobilized.",
                "Portal vein free of tumor; neck of pancreas divided.",
                "Reconstruction: pancreaticojejunostomy, hepaticojejunostomy, duodenojejunostomy.",
                "Two {EP:Blake drain} placed near the anastomoses."],
         drains=["two {U:19 Fr} {EP:Blake drains}", "{DV:JP drain} x 2"], ebl=(300, 900)),
    dict(name="Laparoscopic Nissen fundoplication with hiatal hernia repair", dx=["K21.9", "K44.9"], cpt=["43280"], pcs=["0DV44ZZ"], age=(28, 78),
         ind="refractory GERD, {score:Hill} valve, {EP:Barrett's esophagus} excluded on EGD",
         steps=["Short gastric vessels divided; crura closed posteriorly over a {U:54 Fr} {DV:bougie}.",
                "360-degree floppy wrap {U:2 cm} in length.",
                "{EP:Penrose drain} used for esophageal retraction and removed."],
         drains=["None"], ebl=(10, 50)),
    dict(name="Coronary artery bypass grafting x3", dx=["I25.10", "I21.4"], cpt=["33533", "33517"], pcs=["02100Z9", "021109W"], age=(48, 84),
         ind="three-vessel CAD after NSTEMI, {score:NYHA}",
         steps=["Median sternotomy; LIMA harvested; endoscopic saphenous vein harvest.",
                "{D:heparin} {U:300 units/kg}; ACT > {U:480 s}; cardiopulmonary bypass instituted.",
                "LIMA to LAD, SVG to OM1 and PDA.",
                "{D:protamine} reversal; {EP:Swan-Ganz catheter} and {DV:arterial line} in place.",
                "Two mediastinal {EP:Blake drains} and a left pleural tube to {DV:Pleur-evac}."],
         drains=["mediastinal and pleural tubes to {DV:Pleur-evac}"], ebl=(400, 900)),
    dict(name="ORIF right distal radius", dx=["S52.531A"], cpt=["25607"], pcs=["0QSH04Z"], age=(20, 85),
         ind="dorsally angulated {EP:Colles' fracture} after fall on outstretched hand",
         steps=["{EP:volar approach of Henry}; FCR sheath incised.",
                "Fracture reduced; provisional {EP:Kirschner wires}; volar locking plate applied.",
                "Dorsal screw length checked at {EP:Lister's tubercle}.",
                "Tourniquet time {U:54 min}; {EP:Bier block} not used - general anesthesia with {DV:LMA}."],
         drains=["None"], ebl=(5, 30)),
    dict(name="Total thyroidectomy", dx=["E05.00"], cpt=["60240"], pcs=["0GTK0ZZ"], age=(22, 70),
         ind="{EP:Graves' disease} refractory to {D:methimazole}; preop {D:SSKI} 5 drops TID x 10 days",
         steps=["{EP:Kocher incision} 2 fingerbreadths above the sternal notch.",
                "Recurrent laryngeal nerves identified at the {EP:tubercle of Zuckerkandl} and preserved near {EP:Berry's ligament}.",
                "Parathyroids identified; one autotransplanted.",
                "Nerve monitoring signal intact bilaterally."],
         drains=["None"], ebl=(10, 60)),
    dict(name="Sigmoid colectomy with end colostomy ({EP:Hartmann's procedure})", dx=["K57.20"], cpt=["44143"], pcs=["0DTN0ZZ"], age=(35, 88),
         ind="perforated diverticulitis, {score:Hinchey}",
         steps=["Lower midline laparotomy; purulent fluid in the pelvis and {EP:pouch of Douglas}.",
                "Left ureter identified; sigmoid resected; rectal stump stapled.",
                "End colostomy matured LLQ; {EP:Balfour retractor} removed.",
                "{EP:Foley catheter} retained; abdominal binder for dressing support."],
         drains=["{DV:JP drain} in pelvis"], ebl=(150, 400)),
    dict(name="Right open carpal tunnel release", dx=["G56.01"], cpt=["64721"], pcs=["01N50ZZ"], age=(30, 85),
         ind="median neuropathy with positive {EP:Tinel's sign} and {EP:Phalen's test}; EMG moderate",
         steps=["Incision along {EP:Kaplan's cardinal line}; transverse carpal ligament divided under direct vision.",
                "Ulnar contents in {EP:Guyon's canal} not disturbed.",
                "Local {D:lidocaine} {U:1%} / {D:bupivacaine} {U:0.5%} {U:10 mL}."],
         drains=["None"], ebl=(1, 10)),
]


def k_op():
    op = ch(OPS)
    upper = maybe(0.5)
    L = []
    L.append(ch(["OPERATIVE REPORT", "OPERATIVE NOTE", "Brief Op Note", "PROCEDURE NOTE - OPERATING ROOM"]))
    dxs = [cm(c) for c in op["dx"]]
    L.append("PREOPERATIVE DIAGNOSIS: " + T(op["ind"].split(";")[0].split(",")[0]) + " (" + ", ".join(dxs) + ")")
    L.append("POSTOPERATIVE DIAGNOSIS: " + ch(["Same", "Same as above", "Same; see findings"]))
    nm = op["name"]
    if upper:
        nm = seg_map(T(nm), lambda x: x.upper(), lambda lab_, t: t.upper())
    else:
        nm = T(nm)
    codes = []
    if maybe(0.8):
        codes.append("CPT " + ", ".join(cpt(c) for c in op["cpt"]))
    if maybe(0.5):
        codes.append("ICD-10-PCS " + "; ".join(pcs(c) for c in op["pcs"]))
    L.append("PROCEDURE: " + nm + ((" [" + " | ".join(codes) + "]") if codes else ""))
    L.append(T("ANESTHESIA: " + ch(["General endotracheal", "General with {DV:LMA}", "Spinal", "Regional + MAC"]) + "; {score:ASA}" +
               ch(["; {score:Mallampati}", "", "; {score:Cormack-Lehane} with {EP:" + ch(["Mac 3 blade", "Miller 2 blade", "Macintosh blade"]) + "}"])))
    L.append("INDICATIONS: " + age_phrase(lo=op["age"][0], hi=op["age"][1]) + " with " + T(op["ind"]) + ".")
    L.append("EBL: " + U(f"{ri(*op['ebl'])} mL", 0.3) + ch(["", "   IVF: " + U(f"{ri(5, 30) * 100} mL") + " crystalloid"]))
    L.append("DRAINS: " + T(ch(op["drains"])))
    L.append(T("SPECIMENS: " + ch(["to {O:Surgical Pathology}", "none", "as above, to pathology"])))
    L.append("COMPLICATIONS: " + ch(["None", "None apparent", "none"]))
    L.append("")
    L.append(ch(["DESCRIPTION OF PROCEDURE:", "FINDINGS/TECHNIQUE:", "Description:"]))
    pre = T(ch(["The patient was identified in pre-op, consent confirmed, and site marked. Mark placed on the operative side.",
                "Time-out performed. {D:cefazolin} {U:2 g} IV given prior to incision. {DV:SCDs} on.",
                "Time-out completed with all team members. Antibiotic: {D:cefazolin} {U:2 g}; {D:clindamycin} if PCN allergy.",
                "After induction, {EP:Foley catheter} placed; prepped with {D:ChloraPrep} and draped."]))
    L.append(pre)
    steps = op["steps"]
    k = len(steps) if CUR["long"] else ri(max(2, len(steps) - 2), len(steps))
    if maybe(0.35) or CUR["long"]:
        nm0 = op["name"].split(" (")[0].strip()
        if nm0.split(" ")[0] in ("Laparoscopic", "Open", "Right", "Left", "Repeat", "Total", "Coronary", "Sigmoid", "Pancreaticoduodenectomy", "ORIF"):
            nm0 = nm0 if nm0.startswith("ORIF") else nm0[0].lower() + nm0[1:]
        L.insert(len(L) - 2, T("FINDINGS: " + ch(["as expected for " + nm0 + "; no unexpected pathology.",
                                                  "inflammation consistent with the preoperative diagnosis; no malignancy grossly.",
                                                  "anatomy as anticipated; hemostasis excellent."])))
    L.append(" ".join(T(x) for x in steps[:k]))
    L.append(T(ch(["Counts correct x2. Patient extubated and taken to the {O:PACU} in stable condition.",
                   "Sponge and needle counts correct. To {O:PACU}, {score:Aldrete} on arrival.",
                   "All counts correct. Transferred to {O:SICU} intubated for monitoring.",
                   "Counts correct. Disposition: {O:PACU} then floor."])))
    return "\n".join(L)


RADS = [
    dict(exam="CHEST X-RAY, PA AND LATERAL", icd="R06.02", cpt="71046", age=(30, 89), hist="dyspnea, evaluate for CHF vs pneumonia",
         tech="PA and lateral views.",
         find=["Cardiomegaly. Cephalization of pulmonary vessels with {EP:Kerley B lines} at the bases.",
               "Small bilateral pleural effusions, right greater than left.",
               "No focal consolidation. No pneumothorax.",
               "{DV:AICD} with leads in the right atrium and right ventricle; {DV:PICC line} tip at the cavoatrial junction.",
               "No {EP:Westermark sign} or {EP:Hampton's hump}."],
         imp=["Interstitial edema and small effusions consistent with CHF.", "Support devices as above."]),
    dict(exam="CT ABDOMEN AND PELVIS WITH IV CONTRAST", icd="R10.31", cpt="74177", age=(18, 80), hist="RLQ pain, fever; {score:Alvarado}",
         tech="Axial images after {U:100 mL} {D:Omnipaque 350} IV; oral contrast not given. CTDIvol {num:8.0~18.0|mGy}, DLP {num:400~900|mGy-cm}.",
         find=["Dilated appendix measuring {num:9~14|mm} with periappendiceal fat stranding; appendicolith present.",
               "Small amount of free fluid in {EP:Morison's pouch} and the {EP:pouch of Douglas}.",
               "No {EP:Meckel's diverticulum} or {EP:Amyand hernia} identified.",
               "Liver, spleen, pancreas, adrenals, and kidneys unremarkable. {EP:Gerota's fascia} is not thickened.",
               "{EP:Kerckring folds} normal in caliber; no obstruction. No {EP:Rigler's sign}."],
         imp=["Acute uncomplicated appendicitis.", "No abscess or free air."]),
    dict(exam="CT HEAD WITHOUT CONTRAST / CTA HEAD AND NECK", icd="I63.9", cpt="70450", age=(40, 89), hist="code stroke, left-sided weakness, {score:NIHSS}",
         tech="Noncontrast head CT followed by CTA; {U:75 mL} {D:Isovue-370}.",
         find=["Loss of gray-white differentiation in the right insula; ASPECTS 8.",
               "Hyperdense right MCA sign. Occlusion of the right M2 segment; remainder of the {EP:circle of Willis} patent.",
               "{EP:Sylvian fissure} effaced on the right. Ventricles normal; {EP:foramen of Monro} patent.",
               "No intracranial hemorrhage. Prominent {EP:Virchow-Robin spaces} in the basal ganglia."],
         imp=["Acute right MCA territory infarct with M2 occlusion; findings called to the {O:Stroke Team}."]),
    dict(exam="MRI RIGHT KNEE WITHOUT CONTRAST", icd="M17.11", cpt="73721", age=(16, 70), hist="twisting injury, effusion; positive {EP:Lachman test}",
         tech="Multiplanar multisequence imaging at {U:3 T}.",
         find=["Complete tear of the ACL with a {EP:Segond fracture} of the lateral tibial plateau.",
               "Tear of the posterior horn of the medial meniscus; MCL grade 2 sprain - {EP:O'Donoghue's triad}.",
               "Moderate joint effusion and a {num:2.1~4.5|cm} {EP:Baker's cyst}.",
               "{EP:Hoffa fracture} not present. Cartilage: {score:Kellgren-Lawrence} changes medially."],
         imp=["ACL rupture with associated injuries as above; orthopaedic referral."]),
    dict(exam="BILATERAL SCREENING MAMMOGRAM WITH TOMOSYNTHESIS", icd="Z12.31", cpt="77067", age=(40, 79), hist="screening; family history, {EP:Lynch syndrome} negative, BRCA negative",
         tech="Standard CC and MLO views with DBT. Comparison: prior exam {year:2017~2023}.",
         find=["Breasts are heterogeneously dense, which may obscure small masses.",
               "New {num:6~14|mm} irregular mass in the right breast upper outer quadrant with architectural distortion of {EP:Cooper's ligaments}.",
               "No suspicious calcifications. Left breast unchanged."],
         imp=["{score:BI-RADS}", "Recommend diagnostic mammogram ({cpt:77065}) and ultrasound."]),
    dict(exam="US ABDOMEN LIMITED (RUQ)", icd="K81.0", cpt="76705", age=(20, 85), hist="RUQ pain, fever, {lab:Tbili}",
         tech="Grayscale and color {EP:Doppler ultrasound} imaging.",
         find=["Gallbladder distended with multiple stones, wall thickening {num:4~7|mm} and pericholecystic fluid.",
               "{EP:sonographic Murphy's sign} positive.",
               "CBD {num:4~9|mm}; no {EP:Mirizzi syndrome} configuration.",
               "Liver normal echotexture; hepatic veins patent (no {EP:Budd-Chiari syndrome})."],
         imp=["Acute calculous cholecystitis."]),
    dict(exam="MRI LEFT SHOULDER WITHOUT CONTRAST", icd="M25.312", cpt="73221", age=(16, 50), hist="recurrent anterior dislocation",
         tech="Multiplanar imaging at {U:1.5 T}.",
         find=["{EP:Hill-Sachs lesion} of the posterolateral humeral head.",
               "Anteroinferior labral tear with a small {EP:bony Bankart}.",
               "Rotator cuff intact. No {EP:Codman triangle} or aggressive periosteal reaction."],
         imp=["Sequelae of anterior dislocation; consider {EP:Latarjet procedure} vs {EP:Bankart repair} per {O:Orthopaedics}."]),
    dict(exam="XR RIGHT WRIST 3 VIEWS", icd="S52.531A", cpt="73110", age=(8, 89), hist="FOOSH",
         tech="PA, oblique, and lateral views.",
         find=["Transverse fracture of the distal radial metaphysis with dorsal angulation of {num:15~30|_°} ({EP:Colles' fracture}).",
               "No volar displacement to suggest {EP:Smith's fracture}; no articular involvement ({EP:Barton's fracture} excluded).",
               "Ulnar styloid fracture. Scaphoid intact. In a child this would be classified as {score:Salter-Harris}."],
         imp=["Distal radius fracture as above."]),
    dict(exam="XR LEFT FOOT 3 VIEWS", icd="S92.351A", cpt="73630", age=(15, 70), hist="inversion injury",
         tech="AP, oblique, and lateral weight-bearing views.",
         find=["Transverse fracture at the metaphyseal-diaphyseal junction of the fifth metatarsal ({EP:Jones fracture}).",
               "No widening between the first and second metatarsal bases to suggest a {EP:Lisfranc injury}.",
               "Ankle mortise congruent; no {EP:Maisonneuve fracture} on the included fibula. {score:Weber} not applicable."],
         imp=["{EP:Jones fracture}; non-weight-bearing and {O:Orthopaedics} follow-up."]),
    dict(exam="US THYROID", icd="E04.1", cpt="76536", age=(20, 80), hist="palpable nodule, {lab:TSH}",
         tech="High-resolution grayscale and color Doppler.",
         find=["Diffusely heterogeneous gland with increased vascularity, compatible with {EP:Hashimoto's thyroiditis}.",
               "Right lobe solid hypoechoic nodule {num:1.1~2.6|cm}, taller-than-wide, with punctate echogenic foci.",
               "Level VI node unremarkable."],
         imp=["{score:TI-RADS}; FNA recommended."]),
    dict(exam="MRI PROSTATE WITH AND WITHOUT CONTRAST", icd="R97.20", cpt="72197", age=(45, 85), hist="{lab:PSA}, rising",
         tech="Multiparametric MRI at {U:3 T}; {U:0.1 mmol/kg} {D:gadobutrol}.",
         find=["Left peripheral zone lesion {num:0.9~1.8|cm} with marked diffusion restriction.",
               "No extraprostatic extension. Seminal vesicles normal.",
               "No pelvic adenopathy; no {EP:Batson's plexus} related osseous lesions."],
         imp=["{score:PI-RADS} lesion left PZ; targeted biopsy advised."]),
    dict(exam="CT ABDOMEN WITH AND WITHOUT CONTRAST (RENAL MASS PROTOCOL)", icd="N28.1", cpt="74178", age=(30, 85), hist="incidental renal cyst",
         tech="Triphasic imaging; {U:100 mL} {D:Omnipaque 350}.",
         find=["Right upper pole cystic lesion {num:2.0~4.5|cm} with thin enhancing septa.",
               "No solid enhancing component. Contralateral kidney normal."],
         imp=["{score:Bosniak}; follow-up imaging recommended."]),
    dict(exam="MRI BRAIN WITH AND WITHOUT CONTRAST", icd="R51.9", cpt="70553", age=(18, 70), hist="headache, papilledema",
         tech="Sagittal T1, axial FLAIR/DWI/SWI, post-{D:gadobutrol} T1.",
         find=["Cerebellar tonsils extend {num:6~11|mm} below the foramen magnum ({EP:Chiari I malformation}).",
               "No syrinx. {EP:aqueduct of Sylvius} patent; ventricles normal.",
               "No enhancing lesion. No features of {EP:Dandy-Walker malformation}."],
         imp=["{EP:Chiari I malformation}; {O:Neurosurgery} correlation."]),
    dict(exam="CTA CHEST (PE PROTOCOL)", icd="I26.99", cpt="71275", age=(20, 89), hist="tachycardia, hypoxia, {score:Wells}, {lab:ddimer}",
         tech="Bolus-tracked CTA; {U:80 mL} {D:Omnipaque 350}.",
         find=["Filling defects in the right lower lobe segmental and subsegmental arteries.",
               "RV/LV ratio {ch:0.9/1.1/1.3}; reflux of contrast into the IVC.",
               "Peripheral wedge-shaped opacity ({EP:Hampton's hump}) RLL; no {EP:Westermark sign}."],
         imp=["Acute pulmonary embolism with RV strain; results discussed with the {O:Emergency Department}."]),
    dict(exam="TRANSTHORACIC ECHOCARDIOGRAM", icd="I50.22", cpt="93306", age=(25, 89), hist="dyspnea; {score:NYHA}",
         tech="Complete 2D, M-mode, spectral and color {EP:Doppler}.",
         find=["LVEF {num:20~45|_%} by {EP:Simpson's biplane method}; global hypokinesis.",
               "RV dilated with apical sparing ({EP:McConnell's sign}).",
               "Aortic valve peak velocity {num:2.4~4.6|m/s}; mean gradient by {EP:modified Bernoulli} {num:12~48|mmHg}.",
               "No {EP:Ebstein anomaly}; atrial septum intact on color Doppler."],
         imp=["Reduced LV systolic function; RV strain pattern."]),
]


def k_rad():
    r = ch(RADS)
    up = maybe(0.4)
    L = []
    L.append(("EXAM: " if maybe(0.7) else "Procedure: ") + r["exam"] + ch([" (CPT " + cpt(r["cpt"]) + ")", " [" + cpt(r["cpt"]) + "]", ""]))
    L.append(T("CLINICAL HISTORY: " + age_phrase(lo=r["age"][0], hi=r["age"][1]) + "; " + r["hist"] + "." +
               ch(["", " Reason for exam (ICD-10-CM): {cm:" + r["icd"] + "}.", " Dx code {cm:" + r["icd"] + "}."])))
    if maybe(0.5):
        L.append(T("Ordering service: {O:" + ch(["Emergency Department", "ED", "Primary Care", "Orthopaedics", "Oncology", "ICU", "Urgent Care", "Cardiology", "General Surgery"]) + "}" +
                   ch(["", "; priority STAT", "; routine", "; contrast allergy screen negative, {L:eGFR} > 30"])))
    L.append("TECHNIQUE: " + T(r["tech"]))
    if "Comparison" not in r["tech"]:
        L.append(T(ch(["COMPARISON: None.", "COMPARISON: Prior study from {year:2012~2023}.", "COMPARISON: Outside images not available.",
                       "COMPARISON: {year:2015~2023} exam."])))
    L.append("FINDINGS:")
    f = r["find"]
    picks = f[:ri(max(2, len(f) - 1), len(f))]
    bullet = ch(["", "- ", "* "])
    for x in picks:
        L.append(bullet + T(x))
    L.append("IMPRESSION:")
    for i, x in enumerate(r["imp"], 1):
        line = T(x)
        if up:
            line = seg_map(line, lambda z: z.upper(), lambda lab_, t: t.upper() if lab_ == "EPONYM" else t)
        L.append(f"{i}. " + line)
    if maybe(0.3):
        L.append(T(ch(["Critical result communicated to the ordering team by the radiologist.",
                       "Dictated by radiology resident; reviewed and finalized by attending radiologist.",
                       "Report generated with voice recognition; minor transcription errors may occur."])))
    return "\n".join(L)


PATHS = [
    dict(spec="Prostate, 12-core needle biopsy", cpt=["88305", "88342"], age=(50, 85),
         dx=["Prostatic adenocarcinoma, acinar type, {score:Gleason} ({score:Grade Group})",
             "Involving {ch:3/4/5} of 12 cores, maximum {num:20~80|_%} of a core; perineural invasion {ch:present/absent}."],
         ihc="{L:p63} and {L:HMWCK} negative, {L:AMACR} positive in atypical glands.", icd="C61", snomed="399068003"),
    dict(spec="Breast, right, ultrasound-guided core biopsy", cpt=["88305", "88360", "88341"], age=(32, 85),
         dx=["Invasive ductal carcinoma, {score:Bloom-Richardson}.", "DCIS present, intermediate grade."],
         ihc="{L:ER} {num:80~100|_%} strong, {L:PR} {num:10~90|_%}, {L:HER2} IHC {ch:1+/2+/0} ({ch:negative/equivocal - FISH sent}), {L:Ki-67} {num:10~40|_%}.",
         icd="C50.911", snomed="254837009"),
    dict(spec="Esophagus, distal, biopsies", cpt=["88305"], age=(40, 85),
         dx=["Columnar mucosa with intestinal metaplasia (goblet cells), consistent with {EP:Barrett's esophagus}.",
             "{ch:Negative for dysplasia/Low-grade dysplasia/Indefinite for dysplasia}."],
         ihc="{L:p53} wild-type pattern. {L:Alcian blue} highlights goblet cells.", icd="K22.70", snomed="302914006"),
    dict(spec="Terminal ileum and colon, endoscopic biopsies", cpt=["88305"], age=(18, 70),
         dx=["Chronic active ileitis with non-necrotizing granulomas and patchy involvement, consistent with {EP:Crohn's disease}.",
             "No dysplasia. {EP:Paneth cells} metaplasia in the left colon."],
         ihc="CMV IHC negative; {EP:Ziehl-Neelsen stain} and {EP:Grocott methenamine silver} negative for organisms.", icd="K50.90", snomed="34000006"),
    dict(spec="Lymph node, left cervical, excisional biopsy", cpt=["88307", "88342", "88341"], age=(15, 45),
         dx=["Classic {EP:Hodgkin lymphoma}, nodular sclerosis type.", "Scattered {EP:Reed-Sternberg cells} in a mixed inflammatory background."],
         ihc="{L:CD15} and {L:CD30} positive, {L:CD45} negative, {L:PAX5} weak; {L:EBER} ISH positive ({EP:Epstein-Barr virus}).", icd="C81.10", snomed="118599009"),
    dict(spec="Thyroid, total thyroidectomy", cpt=["88307"], age=(22, 75),
         dx=["{EP:Hashimoto's thyroiditis} with germinal centers and oncocytic ({EP:Hürthle cells}) change.",
             "Incidental papillary microcarcinoma {num:2~8|mm}, margins negative."],
         ihc="{L:TTF-1} and {L:thyroglobulin} positive.", icd="E06.3", snomed="21983002"),
    dict(spec="Bone marrow aspirate and core biopsy", cpt=["88305", "88342"], age=(20, 85),
         dx=["Acute myeloid leukemia with {num:40~80|_%} blasts; {EP:Auer rods} identified.",
             "Peripheral smear: {EP:Howell-Jolly bodies} absent; occasional {EP:Döhle bodies}."],
         ihc="{L:MPO} positive; {L:CD34} and {L:CD117} positive by flow; NPM1 and FLT3 pending.", icd="C92.00", snomed="91861009"),
    dict(spec="Liver, core biopsy", cpt=["88307", "88312"], age=(25, 75),
         dx=["Steatohepatitis with ballooned hepatocytes and {EP:Mallory-Denk bodies}.",
             "{EP:Masson trichrome}: bridging fibrosis (stage 3 of 4). Apoptotic {EP:Councilman bodies} rare."],
         ihc="Iron stain negative. {L:alpha-1 antitrypsin} PAS-D globules absent; no copper to suggest {EP:Wilson's disease}.", icd="K75.81", snomed=None),
    dict(spec="Rectum, suction biopsies at 2, 3, and 5 cm", cpt=["88305", "88342"], age=None,
         dx=["Absence of ganglion cells in the submucosal ({EP:Meissner's plexus}) with hypertrophic nerve fibers.",
             "Findings consistent with {EP:Hirschsprung disease}."],
         ihc="{L:calretinin} immunostain shows absent mucosal neurites.", icd="Q43.1", snomed=None),
    dict(spec="Kidney, native, needle biopsy", cpt=["88305", "88346", "88348"], age=(35, 80),
         dx=["Diabetic nephropathy with nodular glomerulosclerosis ({EP:Kimmelstiel-Wilson nodules}), class III.",
             "Interstitial fibrosis and tubular atrophy {num:20~40|_%}. No {EP:Berger's disease} (IgA negative)."],
         ihc="IF: linear {L:IgG} along GBM (nonspecific, no {EP:Goodpasture syndrome}). EM: GBM {num:600~900|nm}.", icd="E11.21", snomed="127013003"),
    dict(spec="Stomach, antrum and body, biopsies", cpt=["88305", "88342"], age=(20, 85),
         dx=["Chronic active gastritis with Helicobacter-like organisms.", "No intestinal metaplasia; no {EP:Russell bodies} or lymphoma."],
         ihc="{EP:Warthin-Starry stain} and H. pylori IHC positive.", icd="K29.50", snomed="4556007"),
    dict(spec="Skin, left forearm, punch biopsy", cpt=["88305"], age=(20, 89),
         dx=["Lichenoid interface dermatitis with {EP:Civatte bodies}, consistent with lichen planus.",
             "No {EP:Kamino bodies}; negative for melanocytic neoplasm."],
         ihc="{EP:Fontana-Masson stain} highlights melanin incontinence only; PAS negative for fungi.", icd="L43.9", snomed="4776004"),
    dict(spec="Adrenal mass, left, resection", cpt=["88309", "88342"], age=None, clin="{age_ped} with an abdominal mass and elevated urine catecholamines",
         dx=["Neuroblastoma, poorly differentiated, with {EP:Homer Wright rosettes} and neuropil.", "No {EP:Flexner-Wintersteiner rosettes}; margins {ch:negative/focally positive}."],
         ihc="{L:PHOX2B} and {L:synaptophysin} positive; {L:MYCN} FISH not amplified.", icd="C74.90", snomed=None),
    dict(spec="Testis, right, radical orchiectomy", cpt=["88309"], age=(18, 45),
         dx=["Mixed germ cell tumor: yolk sac tumor with {EP:Schiller-Duval bodies} (60%) and embryonal carcinoma (40%).",
             "Spermatic cord margin negative; lymphovascular invasion {ch:present/absent}."],
         ihc="{L:AFP} positive in yolk sac component; {L:SALL4} positive; {L:OCT3/4} positive in embryonal component.", icd="C62.11", snomed=None),
]


def k_path():
    p = ch(PATHS)
    L = []
    L.append(ch(["SURGICAL PATHOLOGY REPORT", "Surgical Pathology - Final Report", "PATHOLOGY CONSULTATION", "FINAL PATHOLOGIC DIAGNOSIS"]))
    if p.get("clin"):
        L.append("Clinical: " + T(p["clin"], age_ped=age_ped) + ".")
    elif p["age"]:
        L.append("Clinical: " + age_phrase(lo=p["age"][0], hi=p["age"][1]) + "; " + T(ch(["r/o malignancy", "see requisition", "follow-up of prior findings", "screening"])) + ".")
    else:
        n = ri(2, 40)
        L.append("Clinical: " + ch([f"{art(n)} " + K("AGE", f"{n}-day-old"), f"{art(n)} " + K("AGE", f"{max(2, n // 7)}-week-old"), K("AGE", f"{max(1, n // 10)} mo") + " old"]) + " infant with delayed meconium passage and distension.")
    L.append("SPECIMEN: A. " + p["spec"])
    up = maybe(0.45)
    L.append("DIAGNOSIS:")
    for x in p["dx"]:
        line = T(x)
        if up:
            line = seg_map(line, lambda z: z.upper(), lambda lab_, t: t.upper() if lab_ in ("EPONYM",) else t)
        L.append("- " + line)
    L.append("Ancillary studies: " + T(p["ihc"]))
    gross = ["Gross: received in {U:10%} neutral buffered formalin; cold ischemia < 1 hour; fixation {num:6~48|hours}.",
             "Gross: received in formalin, labeled with two patient identifiers; entirely submitted."]
    if any(w in p["spec"] for w in ("needle", "core")):
        gross.append("Gross: {num:3~12|_ cores} ranging {num:0.4~1.7|cm}, entirely submitted in cassettes A1-A{ch:3/4/6}.")
    L.append(T(ch(gross)))
    codes = "Coding: CPT " + ", ".join(cpt(c) if c in CPT else K("CPT", c) for c in p["cpt"]) + "; ICD-10-CM " + K("ICD10CM", p["icd"])
    if p["snomed"] and maybe(0.5):
        codes += ch(["; SNOMED CT ", "; SCTID ", " | SNOMED "]) + snomed(p["snomed"])
    L.append(codes)
    if maybe(0.35):
        L.append(T(ch(["Comment: margins negative (closest {num:1~9|mm}); lymphovascular invasion not identified.",
                       "Comment: findings discussed with the clinical team; correlation with imaging recommended.",
                       "Comment: stains performed on block A1 with appropriate controls.",
                       "Comment: the differential included {epr:dz}; morphology and stains favor the diagnosis above."])))
    if maybe(0.4):
        L.append(T(ch(["Case reviewed at {O:Tumor Board}.", "Intradepartmental consultation obtained.",
                       "Synoptic report per CAP protocol (version {year:2021~2024})."])))
    L.append(ch(["Electronically signed out by attending pathologist.", "Pathologist attestation on file.", ""]))
    return "\n".join(x for x in L if x != "")


def k_flow():
    v = ri(0, 2)
    L = []
    L.append(ch(["NURSING FLOWSHEET - SHIFT SUMMARY", "Nursing Flowsheet (export)", "RN Shift Assessment", "Flowsheet Rows - Med/Surg",
                 "ICU NURSING FLOWSHEET", "Nursing Documentation: Assessment & Interventions"]))
    unit = ch(["Med-Surg", "Step-Down Unit", "Telemetry", "MICU", "SICU", "CVICU", "PACU"])
    L.append(T("Unit: {O:" + unit + "}   Acuity: " + ch(["2", "3", "4"])))
    if v == 0:
        L.append("| Check | Temp | HR | BP | RR | SpO2 | Pain |")
        L.append("|---|---|---|---|---|---|---|")
        for i in range(ri(2, 4)):
            t = ch([U(f"{rf(36.4, 38.6)} °C", 0), K("UNIT", f"{rf(97.5, 101.4)} F")])
            hr = ch([K("UNIT", f"{ri(60, 118)} bpm"), str(ri(60, 118))])
            sbp = ri(92, 168)
            bp = ch([K("UNIT", f"{sbp}/{ri(50, sbp - 30)} mmHg"), f"{sbp}/{ri(50, sbp - 30)}"])
            L.append(f"| {i + 1} | {t} | {hr} | {bp} | {ri(12, 26)} | " + K("UNIT", f"{ri(88, 100)}%") + " | " + score("pain") + " |")
    elif v == 1:
        L.append("VS: " + vitals(ch(["line", "pipe", "abbr"])))
    else:
        L.append("Vitals:\n" + vitals("kv"))
    rows = [
        T("Neuro: A&O x{ch:3/4}, {score:GCS}, PERRLA {num:3~4|mm}; {epx:sign}"),
        T("CV: {ch:NSR/SR/AF} on {DV:telemetry box}; cap refill < 3 s; pedal pulses by {EP:Doppler}"),
        T("Resp: {ch:clear/diminished bases/scattered wheeze}; O2 {ch:RA/{num:2~4|L} via {DV:nasal cannula}/{DV:HFNC} {U:40 L} {U:50%}/{DV:BiPAP} overnight}; {DV:incentive spirometer} {num:750~1500|mL}"),
        T("GI: abd soft, BS x4; last BM today; diet {ch:regular/cardiac/consistent carbohydrate/clear liquids}; {D:docusate} given"),
        T("GU: {EP:Foley catheter} draining {ch:amber/yellow/clear} urine {num:250~600|mL} this shift; CAUTI bundle reviewed"),
        T("GU: voiding via {DV:PureWick}; PVR {num:40~280|mL} by bladder scan"),
        T("Skin: {score:Braden}; sacral stage 2 pressure injury {num:1.0~3.5|cm} x {num:0.5~2.0|cm}, {DV:Mepilex} foam dressing; turned q2h"),
        T("Safety: {score:Morse}; bed alarm on, yellow socks, fall-risk band; {DV:SCDs} on"),
        T("Lines: {DV:PICC line} R basilic {U:4 Fr} double lumen, {num:38~44|cm} external; dressing C/D/I; flushed {U:10 mL} NS"),
        T("Drains: {DV:Jackson-Pratt drain} x1 RUQ, {num:20~90|mL} serosanguinous; stripped q4h"),
        T("Drains: {DV:chest tube} to {DV:Pleur-evac} {U:-20 cmH2O} suction, no air leak, {num:50~180|mL} serous"),
        T("I&O: in {num:900~2400|mL} / out {num:700~2200|mL}; net " + ch(["+", "-"]) + "{num:100~900|mL}"),
        T("Meds given: {med:" + ch(["heparin", "enoxaparin", "insulin lispro", "ondansetron", "acetaminophen", "oxycodone", "furosemide", "pantoprazole", "metoprolol tartrate"]) + "}; {med:" + ch(["potassium chloride", "docusate", "senna", "magnesium oxide", "famotidine"]) + "}"),
        T("POC glucose {num:92~286|mg/dL}" + ch(["", " (LOINC {LOINC:2345-7})"]) + " -> {D:insulin lispro} {num:2~8|units} per correction scale"),
        T("Position: {EP:" + ch(["semi-Fowler's", "high Fowler's", "Fowler's position", "reverse Trendelenburg", "left lateral Sims"]) + "} for comfort/aspiration precautions"),
        T("Post-thyroidectomy check: {EP:Chvostek's sign} {ch:negative/positive}, {EP:Trousseau's sign} {ch:negative/negative}; {lab:iCa}"),
        T("Isolation: contact precautions for MRSA. Don gown and gloves before entering."),
        T("Frank blood noted in urine at start of shift - cleared by end; provider aware."),
        T("Education: {DV:incentive spirometer}, {D:Lovenox} self-injection teach-back done"),
        T("Restraints: none. CAM-ICU assessed: {score:CAM-ICU}; {score:RASS}"),
        T("Wound: midline incision with staples, {DV:wound VAC} at {U:-125 mmHg} continuous, canister {num:30~150|mL}"),
        T("Mobility: OOB to chair x{ch:2/3} with {DV:Hoyer lift}; {O:Physical Therapy} saw pt"),
    ]
    n = ri(9, 12) if CUR["long"] else ri(3, 6)
    style_ = ch(["kv", "bullet", "pipe"])
    for r in sample(rows, n):
        if style_ == "bullet":
            L.append("- " + r)
        elif style_ == "pipe":
            k_, _, v_ = r.partition(": ")
            L.append(f"| {k_} | {v_} |" if v_ else f"| {r} |")
        else:
            L.append(r)
    L.append(ch(["Handoff given to oncoming RN at bedside.", "Will continue to monitor.", "Provider notified of changes.",
                 "Rose from chair without assistance, tolerated well.", "Pt resting comfortably, call light in reach."]))
    return "\n".join(L)


def k_medrec():
    v = ri(0, 2)
    L = []
    L.append(ch(["MEDICATION RECONCILIATION - ADMISSION", "Medication Reconciliation (Discharge)", "HOME MEDICATION LIST - verified",
                 "Med Rec | Pharmacy Technician", "Medication Reconciliation - Transitions of Care"]))
    L.append(T("Sources: " + ch(["patient interview, pill bottles, outside pharmacy fill history", "caregiver list + {O:Pharmacy} claims data",
                                 "EHR list reconciled with patient; PDMP ({state:abbr}) reviewed", "SNF MAR received with transfer"])))
    L.append(T("Allergies: " + ch(["NKDA", "sulfa (rash)", "penicillin - hives", "{D:codeine} (nausea); {D:lisinopril} (angioedema)",
                                   "iodinated contrast (hives) - premedicate", "{D:Bactrim DS} - SJS in {year:2005~2020}"])))
    keys = sample(list(MEDS), ri(3, 6))
    extras = []
    if maybe(0.7):
        pn = ch(PENS)
        if pn in PEN_BOLUS:
            extras.append(("pen", drug(pn), U(f"{ri(3, 12)} units"), "SC", ch(["with meals per scale", "TID AC", "with meals + correction"])))
        else:
            extras.append(("pen", drug(pn), U(f"{ri(10, 40)} units"), "SC", ch(["nightly", "daily", "at bedtime"])))
    if maybe(0.7):
        extras.append(("inh", drug(ch(INHALERS)), ch([K("UNIT", "2 puffs"), K("UNIT", "1 inhalation")]), "INH", ch(["BID", "daily", "q4h PRN"])))
    if maybe(0.7):
        o = ch(OTC)
        od = U("17 g") if o == "MiraLAX" else ch(["1 tab", "2 tabs", "1-2 caps", "as directed", "per package"])
        extras.append(("otc", drug(o), od, "PO", ch(["PRN", "nightly PRN", "daily", "BID PRN"])))
    if maybe(0.5):
        cb = ch(COMBOS)
        if cb in ("Combigan", "Cosopt"):
            extras.append(("combo", drug(cb), "1 drop OU", "ophth", "BID"))
        elif cb in ("DuoNeb", "ipratropium-albuterol"):
            extras.append(("combo", drug(cb), U("3 mL"), "neb", ch(["q6h PRN", "QID"])))
        elif cb in ("Zosyn", "piperacillin-tazobactam"):
            extras.append(("combo", drug(cb), U("4.5 g"), "IV", "q6h"))
        else:
            extras.append(("combo", drug(cb), "1 tab", "PO", ch(["BID", "q6h PRN", "daily"])))
    if maybe(0.3):
        nd = ch(NEAR_NAME_DRUGS)
        inj = {"Lupron Depot": ("IM", "every 3 months"), "Ilaris": ("SC", "every 4 weeks"), "Skyrizi": ("SC", "every 8 weeks"),
               "Cosentyx": ("SC", "monthly"), "Taltz": ("SC", "every 4 weeks"), "Tremfya": ("SC", "every 8 weeks"),
               "Kevzara": ("SC", "every 2 weeks"), "Aimovig": ("SC", "monthly"), "Vivitrol": ("IM", "monthly"),
               "Jublia": ("topical", "daily"), "Estrace": ("PO", "daily"), "Tessalon Perles": ("PO", "TID PRN cough")}
        rt_, fq_ = inj.get(nd, ("PO", ch(["daily", "nightly", "PRN"])))
        extras.append(("nnd", drug(nd), "1 dose" if rt_ in ("SC", "IM") else ("thin film" if rt_ == "topical" else "1 tab"), rt_, fq_))
    rows = []
    for k in keys:
        g, b, doses, rt, freqs = MEDS[k]
        rows.append((k, med_name(k), U(ch(doses)), rt, ch(freqs)))
    rows += extras
    rng.shuffle(rows)
    actions = ["Continue", "Hold", "Discontinue", "Changed", "New", "Resume at discharge", "Hold - NPO"]
    rx = v == 0 and maybe(0.6)
    if v == 0:
        L.append("| Medication | Dose | Route | Frequency | Action |" + (" RxCUI |" if rx else ""))
        L.append("|---|---|---|---|---|" + ("---|" if rx else ""))
        for k, nm, d, rt, fq in rows:
            line = f"| {nm} | {d} | {rt} | {fq} | {ch(actions)} |"
            if rx:
                code = None
                if k in MEDS:
                    g = MEDS[k][0]
                    code = next((c for c, n in RXNORM.items() if n == g), None)
                line += (" " + rxcui(code) + " |") if code else " - |"
            L.append(line)
    elif v == 1:
        for i, (k, nm, d, rt, fq) in enumerate(rows, 1):
            code = next((c for c, n in RXNORM.items() if k in MEDS and n == MEDS[k][0]), None)
            extra = (" [RxCUI " + rxcui(code) + "]") if code and maybe(0.5) else ""
            L.append(f"{i}. {nm} {d} {rt} {fq}{extra} -- {ch(actions).upper()}")
    else:
        for k, nm, d, rt, fq in rows:
            L.append(f"* {nm}; {d}; {rt}; {fq}" + ch(["", " (last dose taken this AM)", " (pt not taking)", " (per pharmacy fill, 90-day supply)", ""]))
    L.append(T(ch(["Discrepancies: {medn:" + ch(list(MEDS)) + "} dose differs between list and bottle - clarified with prescriber.",
                   "Therapeutic duplication flagged: {D:Zantac 360} and {D:famotidine}; stopped OTC product.",
                   "Pt also uses {otc} and {otc} PRN - added to list.",
                   "Interaction alert reviewed by {O:Pharmacy}: {combo} + {medn:" + ch(list(MEDS)) + "} - monitor.",
                   "No discrepancies identified.",
                   "Insulin pen ({pen}) brought from home - not to be used inpatient per policy."])))
    if maybe(0.3):
        L.append(T("Dispensed NDC " + ndc() + " on admission; RxCUI {rxcui}."))
    return "\n".join(L)


def k_problem():
    v = ri(0, 2)
    pool = []
    for sc in SCEN:
        pool.append((sc["icd"][0], ICD10CM[sc["icd"][0]], sc["snomed"]))
    extra = [("E11.65", "Type 2 diabetes mellitus with hyperglycemia", "44054006"), ("I10", "Essential hypertension", "59621000"),
             ("E78.5", "Hyperlipidemia", "55822004"), ("G47.33", "Obstructive sleep apnea", "78275009"),
             ("E06.3", "{EP:Hashimoto's thyroiditis}", "21983002"), ("K22.70", "{EP:Barrett's esophagus} without dysplasia", "302914006"),
             ("G20.A1", "{EP:Parkinson's disease}", "49049000"), ("G30.9", "{EP:Alzheimer's disease}", "26929004"),
             ("G51.0", "{EP:Bell's palsy}, resolved", "193462001"), ("I73.00", "{EP:Raynaud's phenomenon}", "13420004"),
             ("M35.00", "{EP:Sjögren's syndrome}", "83901003"), ("Q90.9", "{EP:Down syndrome}", "70143003"),
             ("M72.0", "{EP:Dupuytren's contracture}", None), ("M65.4", "{EP:de Quervain's tenosynovitis}", None),
             ("D68.0", "{EP:von Willebrand disease}", None), ("H81.09", "{EP:Ménière's disease}", None),
             ("G10", "{EP:Huntington's disease}", "58756001"), ("I45.6", "{EP:WPW} pattern, s/p ablation", None),
             ("Q87.40", "{EP:Marfan syndrome}", None), ("K90.81", "{EP:Whipple's disease}, treated", None),
             ("M30.3", "{EP:Kawasaki disease} (childhood)", "75702008"), ("F33.1", "Major depressive disorder, recurrent, moderate", "35489007"),
             ("N18.32", "CKD stage 3b", "433144002"), ("H53.16", "{EP:Charles Bonnet syndrome} (visual hallucinations, insight intact)", None),
             ("G61.0", "{EP:Miller Fisher syndrome}, recovered", None), ("B02.21", "{EP:Ramsay Hunt syndrome}, residual facial weakness", None),
             ("E83.01", "{EP:Wilson's disease}", "190905008"), ("E80.4", "{EP:Gilbert syndrome}", None), ("Q93.82", "{EP:Williams syndrome}", None),
             ("Q96.9", "{EP:Turner syndrome}", None), ("M71.21", "{EP:Baker's cyst}, right knee", None), ("I48.0", "Paroxysmal AF", "49436004"), ("Z95.1", "s/p CABG", None),
             ("Z96.651", "s/p R TKA", "609588000"), ("G35", "Multiple sclerosis", "24700007"), ("G40.909", "Epilepsy", "84757009")]
    pool += extra
    items = sample(pool, ri(3, 7))
    L = []
    L.append(ch(["ACTIVE PROBLEM LIST", "Problem List", "PROBLEMS (ACTIVE)", "Problem list - reviewed and updated", "Hospital Problem List"]))
    if v == 0:
        L.append("| # | Problem | ICD-10-CM | SNOMED CT | Onset |")
        L.append("|---|---|---|---|---|")
        for i, (c, d, sn) in enumerate(items, 1):
            L.append(f"| {i} | {T(d)} | {cm(c)} | {snomed(sn) if sn else '-'} | {year(1995, 2024) if maybe(0.6) else 'unknown'} |")
    elif v == 1:
        for i, (c, d, sn) in enumerate(items, 1):
            line = f"{i}. {T(d)} - {cm(c)}"
            if sn and maybe(0.6):
                a_, b_ = ch([(" | SNOMED ", ""), (" (SNOMED CT ", ")"), (" [SCTID ", "]")])
                line += a_ + snomed(sn) + b_
            if maybe(0.4):
                line += " - since " + year(1995, 2024)
            L.append(line)
    else:
        L.append("Chronic: " + "; ".join(f"{T(d)} ({cm(c)})" for c, d, sn in items))
    if maybe(0.7):
        L.append(ch(["PAST SURGICAL HISTORY:", "PSH:", "Surgical hx:"]))
        for _ in range(ri(1, 3)):
            L.append("- " + T(ch(["s/p {EP:" + ch(["Nissen fundoplication", "Roux-en-Y gastric bypass", "Whipple procedure", "Hartmann's procedure",
                                                                     "Lichtenstein repair", "Bankart repair", "Latarjet procedure", "Mohs surgery",
                                                                     "Ponseti method", "Fontan procedure", "Heller myotomy", "Burch colposuspension",
                                                                     "McDonald cerclage", "Nuss procedure", "Sistrunk procedure", "Kasai procedure"]) + "}"])) + " ({year:1990~2024})".replace("{year:1990~2024}", year(1990, 2024)))
    if maybe(0.5):
        L.append(T(ch(["FHx: mother with {epr:dz}; father with CAD in his " + K("AGE", f"{ch([4, 5, 6])}0s") + ".",
                       "Family history: sibling with {EP:Lynch syndrome}; maternal grandmother with {EP:Alzheimer's disease} at " + K("AGE", str(ri(70, 89))) + ".",
                       "Social: former smoker, quit {year:2000~2020}; lives with spouse; works in {state:full} part of the year.",
                       "Health maintenance: colonoscopy {year:2016~2023}; {EP:Pap smear} {year:2018~2024}; {D:Shingrix} complete."])))
    return "\n".join(L)


def k_coding():
    v = ri(0, 2)
    L = []
    if v in (0, 1):
        sc = pick_scen()
        L.append(ch(["CODING SUMMARY - INPATIENT", "Claim Abstract (UB-04 summary)", "HIM CODING ABSTRACT", "Inpatient Coding Summary / DRG Validation"]))
        L.append("Payer: " + T(ch(["{O:Medicare} Part A", "Medicaid ({state:full})", "Medicaid ({state:abbr})", "{state:name} Medicaid managed care", "commercial PPO", "Medicare Advantage"])))
        L.append(ch(["Admit type: Emergency | Source: ED", "Admission: urgent, transfer from outside hospital", "Admit type: elective"]) + f" | LOS {ri(2, 12)} days")
        pd = sc["icd"][0]
        L.append("Principal Dx: " + cm(pd) + " " + ICD10CM[pd] + ch([" (POA: Y)", " POA=Y", ""]))
        sec = sc["icd"][1:] + sample([c for c in ICD10CM if c.startswith(("Z", "E", "I1", "N18", "F17"))], ri(1, 3))
        sep = ch([", ", "; ", " | "])
        L.append("Secondary Dx: " + sep.join(cm(c) + (ch(["(Y)", "-Y", " POA Y", ""]) if maybe(0.4) else "") for c in sec))
        pc = sc["pcs"] or sample(list(ICD10PCS), ri(0, 2))
        if pc:
            L.append("ICD-10-PCS: " + ch([", ", "; ", " | "]).join(pcs(c) for c in pc))
        d = ch(sc["drg"])
        L.append(T(ch(["MS-DRG " + drg(d) + ": " + DRG[d], "DRG " + drg(d) + " (" + DRG[d] + "), RW " + f"{rf(0.7, 3.5, 4)}",
                       "Final MS-DRG: " + drg(d) + " - " + DRG[d]])))
        if maybe(0.5):
            d2 = ch(list(DRG))
            L.append(T("Working DRG was " + drg(d2) + "; changed after CDI query."))
        L.append("Professional: " + ch([", ", " | ", "; "]).join(cpt(c) for c in sample(["99223", "99233", "99232", "99239", "99291", "93010", "71046", "36556", "99497", "31500"], ri(2, 4))))
        if maybe(0.6):
            hc = sample(list(HCPCS), ri(1, 3))
            L.append("HCPCS/drug lines: " + "; ".join(hcpcs(h) + " x " + str(ri(1, 12)) + " units" for h in hc))
        L.append(T(ch(["CDI query: please clarify acuity and type of heart failure (e.g., {cm:I50.23} vs {cm:I50.33}).",
                       "CDI query: clinical indicators support acute respiratory failure with hypoxia ({cm:J96.01}) - please document if appropriate.",
                       "Query: {EP:Charcot's triad} documented; is cholangitis a diagnosis? Response pending.",
                       "Query: malnutrition severity per dietitian (albumin {labv:Alb}) - provider agreed: moderate ({cm:E44.0}).",
                       "Bill to Medicare after SNF 3-day rule verified.",
                       "No query required; documentation supports coded severity ({score:SOFA})."])))
    else:
        L.append(ch(["PROFESSIONAL CLAIM - OFFICE VISIT", "Charge capture: clinic", "Encounter coding (outpatient)", "E/M + procedure coding summary"]))
        e = ch(["99213", "99214", "99215", "99204", "99203"])
        lines = []
        lines.append(("E/M", K("CPT", e + ("-25" if maybe(0.7) else "")), "G2211" if maybe(0.3) else None))
        proc = ch([("20610", ["M17.11", "M17.12"], "J3301", "{D:triamcinolone} {U:40 mg}"), ("96372", ["M54.50"], "J1885", "{D:ketorolac} {U:30 mg} IM"),
                   ("64483", ["M54.16"], "J1100", "{D:dexamethasone} {U:10 mg}"), ("96413", ["C50.911"], "J9355", "{D:trastuzumab} {U:6 mg/kg}"),
                   ("94640", ["J45.50"], "J7620", "{D:DuoNeb}"), ("90471", ["Z00.00"], "G0008", "{D:Fluzone High-Dose}"),
                   ("96401", ["C61"], "J1950", "{D:leuprolide} {U:3.75 mg}"), ("11042", ["L89.154"], "A6196", "alginate dressing"),
                   ("20610", ["M65.4"], "J3301", "{D:triamcinolone} {U:10 mg}"), ("96372", ["M81.0"], "J0897", "{D:Prolia} {U:60 mg}")])
        pcode, dxs, hc, what = proc
        mod = CPT_MODS.get(pcode)
        L.append("Dx: " + ch([", ", "; ", " | "]).join(cm(c) for c in dxs + sample(["I10", "E78.5", "Z79.899", "F17.210", "E66.01", "Z68.41"], ri(0, 2))))
        L.append("Lines:")
        L.append("  1. " + lines[0][1] + " " + CPT[e] + (" + " + hcpcs("G2211") if lines[0][2] else ""))
        L.append("  2. " + K("CPT", pcode + ("-" + ch(mod) if mod and maybe(0.6) else "")) + " " + CPT.get(pcode, ""))
        L.append("  3. " + hcpcs(hc) + " x " + str(ri(1, 8)) + " units - " + T(what))
        if maybe(0.4):
            L.append("  4. " + K("CPT", ch(["36415", "85025", "80053", "83036", "93000"])) + " (lab/ECG, same day)")
        L.append(T(ch(["Modifier 25 supported: separately identifiable E/M documented.", "NCCI edit reviewed; modifier 59 not required.",
                       "Place of service 11. Rendering provider type: {O:Rheumatology}.", "POS 22, hospital outpatient; {O:Utilization Review} approved.",
                       "Prior auth on file for {D:" + ch(["Prolia", "Herceptin", "Lupron Depot", "Botox", "Xolair"]) + "}."])))
        if maybe(0.4):
            L.append(T("Quality: {cpt:96127} with {score:PHQ-9}; LOINC {loinc_}", loinc_=lambda: loinc("44261-6")))
    return "\n".join(L)


TRIALS = [
    dict(title="Phase 3 trial of an SGLT2 inhibitor in HFpEF", inc=["LVEF >= 50% (pt: {num:52~65|_%})", "{lab:NTproBNP} (req >= 300 pg/mL)", "{score:NYHA} II-IV", "age >= 40 (pt {agen:45~85})"],
         exc=["eGFR < 20 {U:mL/min/1.73m2} (pt {lab:eGFR})", "prior {EP:Takotsubo cardiomyopathy} or infiltrative CMP", "SBP > 180 mmHg", "current {D:Jardiance} or {D:Farxiga} use"]),
    dict(title="{D:Pembrolizumab} combination, 1L metastatic NSCLC", inc=["histologic NSCLC ({cm:C34.90})", "{score:ECOG} (req 0-1)", "measurable disease per RECIST 1.1", "adequate organ function: {lab:ANC}, {lab:Plt}, {lab:Tbili}"],
         exc=["prior anti-PD-1 therapy", "active autoimmune disease incl. {EP:Hashimoto's thyroiditis} requiring systemic tx in past 2 yrs", "untreated CNS metastases", "history of {EP:Hodgkin lymphoma} treated within 5 years"]),
    dict(title="Anti-amyloid antibody in early Alzheimer's disease", inc=["{EP:Alzheimer's disease} - MCI or mild dementia", "{score:MMSE} (req 20-28)", "amyloid PET positive", "age 50-85 (pt {agen:55~85})"],
         exc=["> 4 microhemorrhages on MRI", "anticoagulation with {D:apixaban} or {D:warfarin}", "{EP:dementia with Lewy bodies} or FTD", "{EP:Creutzfeldt-Jakob disease}"]),
    dict(title="Early Parkinson's disease, disease-modifying agent", inc=["{EP:Parkinson's disease} dx within 3 years", "{score:Hoehn-Yahr} (req <= 2)", "DaTscan abnormal", "untreated or stable {D:carbidopa-levodopa}"],
         exc=["atypical parkinsonism", "{score:MoCA} < 24", "deep brain stimulation", "{EP:Wilson's disease} not excluded ({L:ceruloplasmin})"]),
    dict(title="Once-weekly GLP-1/GIP agonist in T2DM with CKD", inc=["T2DM ({cm:E11.22})", "{lab:A1c} (req 7.0-10.5%)", "{lab:eGFR} (req 25-75)", "{lab:UACR} (req 200-5000 mg/g)"],
         exc=["type 1 DM", "h/o pancreatitis", "personal/family h/o MTC or MEN2", "current {D:Ozempic}, {D:Mounjaro} or {D:Trulicity}"]),
    dict(title="IL-23 inhibitor in moderate-severe Crohn's disease", inc=["{EP:Crohn's disease} >= 3 months", "{score:CDAI} (req 220-450)", "SES-CD >= 6", "failed or intolerant of {D:Humira} or {D:Remicade}"],
         exc=["stricture with obstructive symptoms", "prior {EP:Roux-en-Y gastric bypass} or > 100 cm small bowel resected", "active TB ({L:QuantiFERON-TB Gold} positive, untreated)", "C. diff positive"]),
    dict(title="JAK inhibitor in RA with inadequate response to csDMARD", inc=["RA per ACR/EULAR ({cm:M05.79})", "{score:DAS28}", ">= 6 swollen joints", "stable {D:methotrexate} {U:15-25 mg}/week"],
         exc=["{EP:Felty syndrome}", "history of VTE", "{lab:Hgb} (exclude if < 8 g/dL)", "{EP:Sjögren's syndrome} with lymphoma"]),
    dict(title="Acute ischemic stroke, adjunctive neuroprotectant", inc=["{score:NIHSS} (req 6-25)", "premorbid {score:mRS} (req 0-2)", "treated with {D:TNKase} or {D:alteplase}", "LVO on CTA"],
         exc=["intracranial hemorrhage", "{EP:Todd's paralysis} as likely mimic", "{lab:glucose} < 50 mg/dL", "pregnancy ({L:beta-hCG} positive)"]),
    dict(title="Septic shock - vasopressor strategy (ICU)", inc=["septic shock per Sepsis-3", "{score:SOFA}", "{lab:lactate} (req > 2)", "on {D:norepinephrine} >= {U:0.1 mcg/kg/min}"],
         exc=["{score:APACHE}-predicted mortality > 80%", "DNR", "{DV:ECMO} or {DV:LVAD}", "{EP:Addisonian crisis} on chronic steroids"]),
    dict(title="Pediatric Kawasaki disease - adjunctive therapy", inc=["{EP:Kawasaki disease} by AHA criteria", "fever >= 5 days", "{lab:CRP} >= 3 mg/dL", "age " + "{agen:1~1}" + " month to " + "{agen:10~10}" + " years"],
         exc=["prior IVIG", "coronary z-score >= 10", "{EP:Stevens-Johnson syndrome} or alternative dx", "{EP:Still's disease} (sJIA)"]),
]


def k_trial():
    tr = ch(TRIALS)
    L = []
    L.append(ch(["CLINICAL TRIAL ELIGIBILITY SCREENING", "Research Screening Note", "Pre-screening checklist", "Trial Eligibility Review (CRC)"]))
    L.append(T("Study: " + tr["title"] + ch([" (protocol v{ch:2.0/3.1/4.0}, amended {year:2021~2024})", " - IRB-approved, {O:DSMB} oversight", ""])))
    if "Kawasaki" in tr["title"]:
        L.append("Candidate: " + age_ped() + " referred by the {O}".replace("{O}", org("PICU")))
    else:
        ref = next(v_ for k_, v_ in [("HFpEF", ["Cardiology", "Heart Failure Clinic"]), ("NSCLC", ["Oncology", "Tumor Board"]),
                                      ("Alzheimer", ["Neurology", "Geriatrics"]), ("Parkinson", ["Neurology"]),
                                      ("T2DM", ["Endocrinology", "Nephrology"]), ("Crohn", ["Gastroenterology"]), ("RA ", ["Rheumatology"]),
                                      ("stroke", ["Stroke Team", "Neuro ICU"]), ("Septic", ["ICU", "MICU"])] if k_ in tr["title"])
        L.append(T("Candidate: " + age_phrase() + " referred by {O:" + ch(ref) + "}"))
    box_y, box_n = ch([("[x]", "[ ]"), ("☑", "☐"), ("YES", "NO"), ("(+)", "(-)")])
    L.append("Inclusion:")
    for x in tr["inc"]:
        L.append(f"  {box_y if maybe(0.8) else box_n} " + T(x))
    L.append("Exclusion:")
    for x in tr["exc"]:
        L.append(f"  {box_n if maybe(0.85) else box_y} " + T(x))
    L.append(T(ch(["Result: ELIGIBLE pending consent.", "Result: NOT ELIGIBLE - see exclusion.", "Result: pending labs ({qlab}).",
                   "Status: screen fail; reason documented for CONSORT."])))
    if maybe(0.5):
        L.append(T(ch(["Enrolling sites are in {state:full} and {state:name}; travel reimbursement available.",
                       "Consent discussed; pt will review with family. No study procedures done.",
                       "Screening labs drawn: {lab:Cr}, {lab:ALT}, {lab:Hgb} (LOINC {loinc_}).",
                       "Reviewed by {O:Institutional Review Board} liaison; PI sign-off required."]), loinc_=lambda: loinc(LABS[ch(["Cr", "ALT", "Hgb"])][5])))
    return "\n".join(L)


def k_dc():
    sc = pick_scen()
    caps = maybe(0.5)

    def H(x):
        return x.upper() if caps else x
    L = []
    L.append(ch(["DISCHARGE INSTRUCTIONS", "Your Discharge Instructions", "After Visit Summary - Hospital Stay", "Going Home: Instructions for You"]))
    L.append(H("Why you were in the hospital") + ":")
    L.append(T("You were treated for " + sc["dxp"] + ".") + (" " + T("Your main diagnosis code is " + dxcodes(sc, 1)[0] + ".") if maybe(0.3) else ""))
    L.append(H("Your medicines") + ":")
    ms = sample(sc["meds_dc"], min(len(sc["meds_dc"]), ri(2, 4)))
    labels = ["NEW", "CHANGED", "CONTINUE", "NEW"]
    for i, m in enumerate(ms):
        L.append(ch(["- ", "* ", "• "]) + ch(labels) + ": " + med(m, mode=ch(["b", "gb", "g"])))
    if maybe(0.6):
        L.append(T(ch(["- STOP taking: {otc} (it can interact with your new medicines).", "- STOP: {medn:ibuprofen} and {D:Aleve}.",
                       "- STOP taking {medn:glipizide} until your doctor reviews your sugars.", "- Do not restart {medn:lisinopril} until your kidney labs are checked."])))
    L.append(H("Taking care of yourself at home") + ":")
    for t in sc["tips"]:
        L.append("- " + T(t))
    CARE = {
        "picc": "- Your {DV:PICC line}: keep the dressing dry; the {O:Home Health} nurse will change it weekly and draw labs.",
        "jp": "- Your {DV:Jackson-Pratt drain}: empty it twice a day and write down the amount. Call if it is more than {U:100 mL} in a day or cloudy.",
        "cpap": "- Use your {DV:CPAP} every night, even for naps.",
        "cgm": "- Check your blood sugar with your {DV:" + ch(["Dexcom G7", "FreeStyle Libre 3", "glucometer"]) + "} and bring the readings.",
        "inc": "- Incision care: shower after 48 hours, pat dry, no baths or swimming for 2 weeks. Do not lift more than {U:10 lb}.",
        "vac": "- Keep your {DV:wound VAC} on at all times; the {O:Wound Care} nurse will visit.",
        "walker": "- Use your walker ({hcpcs:E0143}) at all times until {O:Physical Therapy} clears you.",
        "o2": "- Use your oxygen ({DV:nasal cannula}, {U:2 L/min}) with walking and sleep. Do not smoke near oxygen.",
    }
    opts = {"hf": ["cpap", "o2"], "copd": ["o2", "cpap"], "cap": ["o2"], "sepsis": ["picc"], "dka": ["cgm"], "cell": ["vac", "picc"],
            "panc": ["jp", "inc"], "hipfx": ["inc", "walker"], "cirr": ["jp"], "sbo": ["inc"], "stroke": ["walker"], "gbs": ["walker"],
            "sjs": ["vac"], "pe": ["o2"], "nstemi": ["inc"]}.get(sc["key"], [])
    care = CARE[ch(opts)] if opts and maybe(0.8) else ""
    if care:
        L.append(T(care))
    L.append(H("Follow-up") + ":")
    fu = [o for o in sc["orgs"] if "ICU" not in o and o not in ("Burn Unit", "Stroke Team", "Cath Lab", "Endoscopy Suite", "Pulmonary Embolism Response Team")] or ["Primary Care"]
    L.append(T("- {O:" + ch(fu) + "} in " + ch(["1 week", "2 weeks", "7 to 10 days"]) + "; " + ch(["{O:Primary Care} in 1-2 weeks", "lab work ({L:BMP}, {L:CBC}) in 3 days", "a {L:CBC} and {L:CMP} in 1 week", "repeat {L:lipid panel} in 6 weeks"])))
    L.append(H("Call your doctor or return to the Emergency Department if") + ":")
    warn = ch(["- fever over {U:101 °F} ({U:38.3 °C})", "- chest pain or trouble breathing", "- fainting or severe dizziness",
               "- vomiting and cannot keep medicines down", "- new weakness, numbness, or trouble speaking"])
    L.append(T(warn))
    L.append(T(ch(["- bleeding that will not stop", "- your weight goes up {U:3 lb} in a day", "- blood sugar over {U:300 mg/dL} or under {U:70 mg/dL}",
                   "- redness, swelling, or pus at the incision"])))
    if maybe(0.4):
        L.append(T(ch(["Your {L:A1c} this stay was {labv:A1c}.", "Your last {L:hemoglobin} was {labv:Hgb}.", "Your kidney test ({L:creatinine}) was {labv:Cr}.",
                       "Vaccines given: {D:Prevnar 20}, {D:Fluzone High-Dose}."])))
    return "\n".join(L)


def k_ipass():
    if CUR["long"]:
        CUR["long"] = False
        a = k_ipass()
        b = k_ipass()
        b = b.split("\n", 1)[1]
        return a.replace("I - Illness", "BED A\nI - Illness", 1) + "\n\nBED B\n" + b
    sc = pick_scen(need_icu=True)
    L = []
    L.append(ch(["I-PASS HANDOFF", "ICU Handoff (I-PASS)", "MICU Night Signout - I-PASS", "CVICU handoff", "I-PASS sign-out"]))
    sev = ch(["WATCHER", "UNSTABLE", "Stable", "Watcher", "UNSTABLE - high risk"])
    L.append("I - Illness severity: " + sev)
    ps = age_phrase() + " w/ " + ch(["PMH ", "hx "]) + chronic_line() + ", admitted for " + sc["dx"] + ". "
    icu_lines = sample(sc["icu"], 2 if (len(sc["icu"]) > 1 and maybe(0.6)) else 1)
    ps += ". ".join(T(x) for x in icu_lines) + ". "
    ps += T("{score:" + ch(["SOFA", "APACHE", "RASS", "GCS", "CAM-ICU"]) + "}, {score:" + ch(sc["scores"]) + "}")
    if maybe(0.5):
        ps += T(". Vent: " + ch(["AC/VC {num:380~480|mL} x {num:14~22|_/min}, PEEP {num:5~12|cmH2O}, FiO2 {num:30~70|_%}",
                                 "PSV 10/5, FiO2 {U:40%}", "extubated to {DV:HFNC} {U:40 L}/{U:45%}", "{DV:BiPAP} 14/6 PRN"]))
    if maybe(0.2):
        ps += T(ch([". OSH transfer from {state:name}", ". Flown in from rural {state:full}", ". Snowbird - primary team in {state:abbr}"]))
    L.append("P - Patient summary: " + ps + ".")
    L.append("A - Action list:")
    acts = [
        "[ ] f/u {lab:K} and {lab:Mg} with AM labs, replete per protocol",
        "[ ] recheck {labn:lactate} at 0400 -> if > 4, page fellow",
        "[ ] wean {D:norepinephrine} to MAP > {U:65 mmHg}",
        "[ ] ABG after vent change",
        "[ ] CXR to confirm {DV:" + ch(["ETT", "triple-lumen catheter", "PICC line", "Dobhoff tube", "chest tube"]) + "} position",
        "[ ] family meeting w/ {O:Palliative Care} tomorrow",
        "[ ] hold {D:heparin} gtt for {DV:" + ch(["EVD", "arterial line", "central line"]) + "} removal",
        "[x] {med:" + ch(["vancomycin", "cefepime", "meropenem", "piperacillin-tazobactam"]) + "} dose given",
        "[ ] {L:type and screen} current; {U:2 units} pRBC on hold",
        "[ ] {O:Pharmacy} to dose {D:vancomycin} by AUC",
    ]
    for a in sample(acts, ri(2, 3)):
        L.append("  " + T(a))
    CONT = {
        "map": "if MAP < {U:65 mmHg} despite {D:norepinephrine} {U:0.2 mcg/kg/min}, add {D:vasopressin} {U:0.04 units/min} and call fellow",
        "desat": "if desat < {U:88%}, increase FiO2 and consider reintubation with {EP:Mac 4 blade} / {DV:GlideScope}",
        "k": "if K > {U:6 mEq/L}: {D:calcium gluconate} {U:1 g}, insulin/{D:dextrose}, {D:Lokelma}; call renal for {DV:CRRT}",
        "agit": "if agitated, {D:dexmedetomidine} first; avoid benzos; target {score:RASS}",
        "neuro": "if {EP:Cushing's triad} or pupils change, STAT CT head and call neurosurgery",
        "impella": "if bleeding from {DV:Impella CP} site, hold pressure, check {L:ACT}, notify {O:Cath Lab}",
        "hgb": "if Hgb drops < {U:7 g/dL}, transfuse and page GI for repeat EGD",
        "glu": "if glucose < {U:70 mg/dL}, {D:D50} {U:25 g} IV and decrease insulin gtt by half",
        "he": "if GCS drops, protect airway; continue {D:lactulose} via {DV:NG tube}; check {L:ammonia} only if it changes management",
    }
    copt = {"hf": ["map", "desat", "impella"], "copd": ["desat", "agit"], "cap": ["desat", "map"], "sepsis": ["map", "k"],
            "dka": ["k", "glu"], "aki": ["k", "map"], "ugib": ["hgb", "map"], "panc": ["map", "desat"], "stroke": ["neuro"],
            "afib": ["map"], "pe": ["desat", "map"], "cirr": ["he", "hgb"], "etoh": ["agit"], "hypona": ["neuro"],
            "nstemi": ["impella", "map"], "gbs": ["desat"], "storm": ["map", "agit"], "sjs": ["map"], "adrenal": ["map", "glu"]}.get(sc["key"], ["map"])
    L.append("S - Situation awareness / contingency: " + T(CONT[ch(copt)]))
    L.append("S - Synthesis by receiver: " + ch(["receiver read back plan; questions answered.", "summarized and confirmed contingencies.", "read-back complete.",
                                                 "Will call with changes."]))
    if maybe(0.4):
        L.append(T(ch(["Code status: FULL. Contact: spouse (in EHR).", "Code: DNR, OK to intubate.", "Lines: {DV:A-line}, {DV:central line} (day {ch:2/3/5}); {EP:Foley catheter} day {ch:2/4}.",
                       "Drips: {D:propofol} {U:30 mcg/kg/min}, {D:fentanyl} {U:50 mcg/hr}.", "Billing: {cpt:99291} + {cpt:99292} today."])))
    return "\n".join(L)


EMS = [
    dict(cc="chest pain", age=(40, 89), icd="I21.19",
         hpi="found sitting in recliner, diaphoretic, substernal pressure radiating to L arm x {num:30~90|_ min}; {EP:Levine's sign}",
         tx=["{D:aspirin} {U:324 mg} PO chewed", "{D:nitroglycerin} {U:0.4 mg} SL x{ch:2/3}", "{D:fentanyl} {U:50 mcg} IV", "12-lead: STE II, III, aVF - STEMI alert, {O:Cath Lab} activated"],
         asmt="STEMI criteria met; {EP:Wellens' syndrome} pattern not seen; no {EP:Beck's triad}", dest="PCI-capable facility, {O:Emergency Department}"),
    dict(cc="stroke symptoms", age=(45, 89), icd="I63.9",
         hpi="family reports R facial droop and slurred speech; last known well about 45 min prior; BE-FAST positive",
         tx=["{L:BGL} {num:96~180|mg/dL}", "LAMS {ch:3/4/5}", "{score:NIHSS} by medic estimate", "pre-notification: {O:Stroke Team}"],
         asmt="{score:GCS}; {EP:Todd's paralysis} possible (no seizure witnessed)", dest="comprehensive stroke center"),
    dict(cc="MVC, restrained driver", age=(18, 75), icd="S06.0X0A",
         hpi="moderate-speed frontal impact, +airbag, self-extricated; c/o LUQ pain and L shoulder pain ({EP:Kehr's sign})",
         tx=["spinal motion restriction with {DV:cervical collar}", "{U:500 mL} NS bolus via {U:18 g} L AC", "{D:fentanyl} {U:1 mcg/kg} IV",
             "no {EP:Battle's sign}, no raccoon eyes; no {EP:Beck's triad}"],
         asmt="{score:GCS}; concern for splenic injury; {EP:Cullen's sign} absent", dest="Level I trauma center, trauma activation"),
    dict(cc="unresponsive, suspected opioid OD", age=(19, 60), icd="T40.2X1A",
         hpi="found by roommate; pinpoint pupils, RR 4, cyanotic",
         tx=["BVM ventilation with OPA", "{D:naloxone} {U:2 mg} IN then {U:0.4 mg} IV", "{D:Narcan} kit left with roommate", "ETCO2 {num:38~60|mmHg} after ventilation"],
         asmt="{score:GCS} after naloxone; respirations improved", dest="{O:Emergency Department}"),
    dict(cc="hypoglycemia", age=(19, 89), icd="E16.2",
         hpi="diabetic on {pen}; confused, diaphoretic; {L:BGL} {num:28~48|mg/dL}",
         tx=["{D:D10} {U:250 mL} IV (dextrose {U:25 g})", "repeat {L:BGL} {num:110~160|mg/dL}", "{D:glucagon} {U:1 mg} IM not needed", "oral carbs given"],
         asmt="{score:GCS} post-treatment; refused transport vs transported per medical control", dest="{O:Emergency Department}"),
    dict(cc="seizure", age=(16, 70), icd="R56.9",
         hpi="generalized tonic-clonic activity > 5 min on arrival; h/o epilepsy on {D:Keppra} {U:750 mg} BID",
         tx=["{D:midazolam} {U:10 mg} IM ({D:Versed})", "{DV:nasal cannula} {U:4 L}", "{L:BGL} {num:90~150|mg/dL}", "postictal, L arm weak ({EP:Todd's paralysis})"],
         asmt="{score:GCS} postictal", dest="{O:Emergency Department}"),
    dict(cc="anaphylaxis", age=(8, 70), icd="T78.2XXA",
         hpi="peanut exposure at restaurant; hives, wheeze, lip swelling; used own {D:EpiPen 2-Pak} x1",
         tx=["{D:epinephrine} {U:0.5 mg} IM ({U:1 mg/mL})", "{D:albuterol} {U:2.5 mg} neb", "{D:diphenhydramine} {U:50 mg} IV", "{D:methylprednisolone} {U:125 mg} IV"],
         asmt="stridor resolved; SpO2 improved", dest="{O:Emergency Department}"),
    dict(cc="respiratory distress / CHF", age=(50, 89), icd="I50.23",
         hpi="orthopnea, pink frothy sputum, rales to apices; h/o HFrEF with {DV:AICD}",
         tx=["{DV:CPAP} {U:10 cmH2O}", "{D:nitroglycerin} {U:0.4 mg} SL q5 min x3", "{D:Nitrostat} home supply used x1 before arrival", "SpO2 {num:82~88|_%} -> {num:92~97|_%}"],
         asmt="BP {U:210/120 mmHg} on arrival", dest="{O:Emergency Department}"),
    dict(cc="cardiac arrest", age=(35, 89), icd="I46.9",
         hpi="witnessed collapse, bystander CPR, AED advised 1 shock before arrival",
         tx=["{DV:LUCAS device} applied", "{D:epinephrine} {U:1 mg} IV/IO q4 min x{ch:3/4/5} via {DV:EZ-IO}", "{D:amiodarone} {U:300 mg} then {U:150 mg}",
             "{DV:King airway}; ETCO2 {num:12~45|mmHg}", "ROSC after {ch:14/18/22} min"],
         asmt="post-ROSC; {EP:Cushing reflex} not present", dest="cardiac arrest center, {O:Cath Lab} notified"),
    dict(cc="fall, hip pain", age=(65, 89), icd="S72.002A",
         hpi="ground-level fall at home; L leg shortened and externally rotated; on {D:Eliquis}",
         tx=["pillow splint; {DV:traction splint} not indicated", "{D:fentanyl} {U:25 mcg} IV x2", "head-to-toe: no {EP:Battle's sign}", "{score:pain} -> 4/10"],
         asmt="suspected hip fracture; anticoagulated", dest="{O:Emergency Department}"),
    dict(cc="imminent delivery", age=(19, 42), icd="O80",
         hpi="G3P2 at term, crowning on arrival",
         tx=["delivery in residence; shoulder dystocia resolved with {EP:McRoberts maneuver} and suprapubic pressure",
             "newborn {score:Apgar}", "{D:oxytocin} {U:10 units} IM after placenta", "cord clamped, infant warmed, skin-to-skin"],
         asmt="mother stable, est blood loss {num:250~500|mL}", dest="{O:Labor and Delivery}"),
    dict(cc="choking", age=(2, 89), icd="T17.908A",
         hpi="choking on food at dinner, unable to speak",
         tx=["{EP:Heimlich maneuver} by bystander x3, partially effective", "{EP:Magill forceps} retrieval under direct laryngoscopy", "{DV:non-rebreather mask} {U:15 L}"],
         asmt="airway patent, SpO2 {num:94~99|_%}", dest="{O:Emergency Department}"),
]


def k_ems():
    e = ch(EMS)
    L = []
    L.append(ch(["EMS PATIENT CARE REPORT", "Prehospital Care Report (ePCR export)", "ALS RUN REPORT", "EMS Narrative", "Ambulance Run Sheet"]))
    L.append(ch(["Unit type: ALS", "Unit: ALS medic unit", "Level of care: BLS upgraded to ALS", "Crew: paramedic + EMT"]) + " | " +
             ch(["Priority 1", "Lights & sirens", "Emergent response", "Priority 2"]))
    L.append("Dispatch: " + e["cc"])
    a0, a1 = e["age"]
    if a1 < 18 or (a0 < 18 and maybe(0.3)):
        who = age_ped()
    else:
        who = age_phrase(lo=max(a0, 18), hi=a1)
    hpi = "Pt is " + who + "; " + T(e["hpi"]) + "."
    if maybe(0.3):
        hpi += T(ch([" Pt visiting from {state:name}.", " Pt's primary cardiologist is in {state:full}.",
                     " Pt lives part-time in {state:abbr}; meds list from {state:full} pharmacy.", " Hunting trip in {state:full} last week."]))
    L.append("HPI: " + hpi)
    v1 = vitals(ch(["line", "abbr"]), ems=True)
    L.append("VS1: " + v1)
    if maybe(0.6):
        L.append("VS2: " + vitals(ch(["line", "abbr"]), o2=maybe(0.6), ems=True) + (" | " + T("ETCO2 {num:30~45|mmHg}") if maybe(0.5) else ""))
    L.append("Tx: " + "; ".join(T(x) for x in e["tx"]) + ".")
    L.append("Assessment: " + T(e["asmt"]) + ".")
    if maybe(0.5):
        L.append(T(ch(["Meds: {med:" + ch(list(MEDS)) + "}, {med:" + ch(list(MEDS)) + "}; allergies NKDA.",
                       "Home meds per bottles: {medn:" + ch(list(MEDS)) + "}, {inh}, {otc}.", "Home meds: {nnd}, {nnd}, {medn:" + ch(list(MEDS)) + "}.",
                       "PMH: {chronic}.", ""]), chronic=chronic_line))
    L.append(T("Transport: " + e["dest"] + "; " + ch(["pt improved en route", "no change en route", "care transferred to RN with verbal report",
                                                     "{O:Medical Control} contacted for orders"]) + "."))
    if maybe(0.5):
        L.append(T("Billing: {hcpcs:" + ch(["A0427", "A0433", "A0429"]) + "} + {hcpcs:A0425} x " + str(ri(3, 28)) + " mi; ICD-10 {cm:" + e["icd"] + "}."))
    return "\n".join(L)


# ================================================================== post-processing
def _ep_regex():
    forms = set()
    for _k, _c, fs in EP_LIST:
        for f in fs:
            if len(f) >= 4 or f in ("Pap",):
                forms.add(f)
    # extra spellings that occur in code-set descriptions
    forms |= {"Guillain-Barre syndrome", "Colles' fracture", "Meniere's disease", "Raynaud's syndrome", "Cushing's syndrome",
              "Addisonian crisis", "Dupuytren", "de Quervain", "Kawasaki", "Whipple's disease", "Wernicke's encephalopathy",
              "Alzheimer's disease", "Huntington's disease", "Parkinson's disease", "Bell's palsy", "Down syndrome",
              "Marfan syndrome", "Von Willebrand disease", "Ogilvie syndrome", "Barrett's esophagus", "Crohn's disease",
              "Stevens-Johnson syndrome", "Hodgkin lymphoma", "Huntington's chorea", "Hodgkin's disease", "Sjögren's syndrome",
              "Graves' disease", "Addison's disease", "Ringer's", "Kerckring", "Gleason"}
    alts = []
    for f in sorted(forms, key=len, reverse=True):
        if f[0].isalpha():
            alts.append("[" + f[0].upper() + f[0].lower() + "]" + re.escape(f[1:]))
        else:
            alts.append(re.escape(f))
    return re.compile(r"(?<![\w'-])(?:" + "|".join(alts) + r")(?![\w-])")


EP_RE = None
SKIP_AUTO = {"Kerckring", "Ringer's", "Pap", "GBS"}


def automark(marked):
    """wrap eponyms that appear in free (unmarked) text"""
    global EP_RE
    if EP_RE is None:
        EP_RE = _ep_regex()

    def fn(seg):
        def rep(m):
            t = m.group(0)
            if t in SKIP_AUTO:
                return t
            ep_forms_used[t] += 1
            return K("EPONYM", t)
        return EP_RE.sub(rep, seg)
    return seg_map(marked, fn)


MONTHS = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
PHI_CHECKS = [
    ("month", re.compile(r"\b" + MONTHS + r"\b(?! Concern)")),
    ("weekday", re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    ("date", re.compile(r"(?<![\d.])\d{1,2}([/-])\d{1,2}\1(19|20)?\d{2}(?![\d.])")),
    ("isodate", re.compile(r"\b(19|20)\d{2}-\d{2}-\d{2}\b")),
    ("phone", re.compile(r"\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b")),
    ("ssn", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    ("email", re.compile(r"@")),
    ("url", re.compile(r"(https?:|www\.|\.com\b|\.org\b|\.gov\b)")),
    ("ip", re.compile(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b")),
    ("mrn", re.compile(r"\b(MRN|DOB|SSN|Acct|Account #|Member ID|Policy #|License #|Lic\.|Serial|VIN|Plate #|Medical record)\b")),
    ("title_name", re.compile(r"\b(Dr|Mr|Mrs|Ms|Miss)\.? [A-Z][a-z]+")),
    ("age90", re.compile(r"\b(9\d|1[0-4]\d)[ -]?(year|yr|y/o|yo\b|y\.o\.|years)")),
    ("zip", re.compile(r"\b(" + "|".join(STATES_ABBR) + r"),? \d{5}\b")),
]


def phi_scan(text, spans):
    probs = []
    for name, rx in PHI_CHECKS:
        for m in rx.finditer(text):
            probs.append((name, m.group(0)))
    for sp in spans:
        if sp["label"] == "AGE":
            n = re.match(r"\d+", text[sp["start"]:sp["end"]])
            if n and int(n.group(0)) > 89:
                probs.append(("age>89", text[sp["start"]:sp["end"]]))
        if sp["label"] == "YEAR":
            y = int(text[sp["start"]:sp["end"]])
            assert 1900 <= y <= 2025
    return probs


KINDS = [
    ("ehr_export", k_ehr), ("portal_message_nurse", k_portal), ("llm_patient_answer", k_llm),
    ("pharmacist_counseling", k_pharm), ("prior_auth_letter", k_pa), ("operative_report", k_op),
    ("radiology_report", k_rad), ("pathology_report", k_path), ("nursing_flowsheet", k_flow),
    ("medication_reconciliation", k_medrec), ("problem_list", k_problem), ("coding_billing_summary", k_coding),
    ("trial_eligibility", k_trial), ("discharge_instructions", k_dc), ("icu_handoff_ipass", k_ipass),
    ("ems_run_report", k_ems),
]


LONGABLE = {"ehr_export", "prior_auth_letter", "operative_report", "icu_handoff_ipass", "nursing_flowsheet"}


def build_one(kind, fn):
    use_short = kind in SHORT and maybe(0.12)
    use_long = (not use_short) and kind in LONGABLE and maybe(0.13)
    for attempt in range(200):
        if attempt == 20:
            use_short = False
        CUR["ovr"] = {}
        CUR["long"] = use_long and attempt < 60
        marked = short_note(kind) if use_short else fn()
        marked = automark(marked)
        marked = re.sub(r"[ \t]+\n", "\n", marked).strip()
        text, spans = parse(marked)
        if 100 <= len(text) <= 1500 and spans:
            return text, spans
    raise RuntimeError("could not satisfy length for " + fn.__name__)


def validate(rec):
    text, keep = rec["text"], rec["keep"]
    assert 100 <= len(text) <= 1500, (rec["id"], len(text))
    prev_end = -1
    for sp in keep:
        assert set(sp) == {"start", "end", "label"}
        assert sp["label"] in LABELS
        assert 0 <= sp["start"] < sp["end"] <= len(text)
        assert sp["start"] >= prev_end, ("overlap", rec["id"], sp)
        tok = text[sp["start"]:sp["end"]]
        assert tok == tok.strip() and tok, (rec["id"], tok)
        prev_end = sp["end"]
    assert not any(c in text for c in (S, M, X)), rec["id"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=4049)
    ap.add_argument("-n", type=int, default=600)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "notes.jsonl"))
    ap.add_argument("--stats", action="store_true", help="print label statistics")
    args = ap.parse_args()
    rng.seed(args.seed)

    order = []
    while len(order) < args.n:
        block = list(KINDS)
        rng.shuffle(block)
        order += block
    order = order[:args.n]

    recs = []
    problems = []
    for i, (kind, fn) in enumerate(order, 1):
        text, spans = build_one(kind, fn)
        rec = {"id": f"b-{i:04d}", "kind": kind, "text": text, "keep": spans}
        validate(rec)
        p = phi_scan(text, spans)
        if p:
            ctx = [text[max(0, text.find(x[1]) - 40):text.find(x[1]) + 40] for x in p]
            problems.append((rec["id"], p, ctx))
        recs.append(rec)
    if problems:
        for pid, p, ctx in problems[:40]:
            print("PHI-CHECK", pid, p, ctx, file=sys.stderr)
        sys.exit("PHI check failed for %d texts" % len(problems))

    with open(args.out, "w", encoding="utf-8") as fh:
        for rec in recs:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")

    if args.stats:
        lab = Counter(s_["label"] for r in recs for s_ in r["keep"])
        eps = Counter(r["text"][s_["start"]:s_["end"]] for r in recs for s_ in r["keep"] if s_["label"] == "EPONYM")
        lens = [len(r["text"]) for r in recs]
        print("texts", len(recs), "spans", sum(lab.values()), "avg spans %.2f" % (sum(lab.values()) / len(recs)))
        print("length min %d max %d mean %.0f" % (min(lens), max(lens), sum(lens) / len(lens)))
        print("kinds", dict(Counter(r["kind"] for r in recs)))
        for k_, v_ in sorted(lab.items(), key=lambda x: -x[1]):
            print(f"  {k_:12s} {v_}")
        print("distinct EPONYM surface forms", len(eps), "distinct lower-cased", len({e.lower() for e in eps}))
        print("distinct eponym catalogue entries used", sum(1 for k_ in ep_count if ep_count[k_]))



SHORT = {
    "portal_message_nurse": [
        "Your {L:TSH} came back at {labv:TSH}, which is in the normal range. No change needed - keep taking {med:levothyroxine}. -RN, {O:Primary Care}",
        "hi, good news, your {L:A1c} is {labv:A1c}, down from last time. keep up the {D:Ozempic} and walking after meals! - {O:Endocrinology} nurse team",
        "Your refill for {inh} was sent to your pharmacy. Please schedule a {O:Pulmonology} visit before the next refill is due. Thanks, Nursing",
        "Reminder: hold your {medn:metformin} for 48 hours after your CT scan with contrast ({cpt:74177}). Restart it after that if you feel well. -RN, {O:Primary Care}",
        "Your {L:INR} today is {ch:2.4/2.6/2.2}, right in range. Keep the same {medg:warfarin} dose. Next check at the {O:Anticoagulation Clinic} in 4 weeks.",
    ],
    "problem_list": [
        "PROBLEM LIST\nHTN ({cm:I10}); T2DM ({cm:E11.9}) on {D:metformin}; {EP:Hashimoto's thyroiditis} ({cm:E06.3}); OSA on {DV:CPAP} ({cm:G47.33}).",
        "Problems: {EP:Crohn's disease} ({cm:K50.90}) on {D:Stelara}; iron deficiency anemia ({cm:D50.9}); s/p ileocecal resection {year:2012~2022}; {EP:Pap smear} up to date.",
        "Active: {EP:Parkinson's disease} ({cm:G20.A1}, SNOMED {snomed:49049000}), {score:Hoehn-Yahr}; orthostatic hypotension on {D:fludrocortisone}; depression ({cm:F33.1}).",
        "ACTIVE: AF ({cm:I48.0}) on {D:Eliquis}, {score:CHA2DS2-VASc}; HFpEF ({cm:I50.32}); CKD 3b ({cm:N18.32}); {EP:Barrett's esophagus} ({cm:K22.70}).",
    ],
    "coding_billing_summary": [
        "Claim line 1: {cpt:99214}-25 (E/M); line 2: {cpt:20610}-RT; dx {cm:M17.11}, {cm:I10}; line 3: {hcpcs:J3301} x 4 units ({D:triamcinolone} {U:40 mg}).",
        "ED facility/pro coding: E/M {cpt:99285} | dx {cm:R07.9}, {cm:I10}, {cm:E78.5} | ECG read {cpt:93010} | CXR {cpt:71046}-26 | troponin ({cpt:84484}).",
        "Final coding: MS-DRG {drg:871}; PDx {cm:A41.9} (POA Y); SDx {cm:R65.21}, {cm:N17.9}, {cm:E87.1}; PCS {pcs:5A1945Z}, {pcs:02HV33Z}.",
        "Pro fee (critical care): {cpt:99291} x1, {cpt:99292} x2; intubation {cpt:31500}; CVC {cpt:36556}-59. Dx {cm:J96.01}, {cm:J18.9}. Place of service: {O:MICU}.",
    ],
    "llm_patient_answer": [
        "Short answer: yes, {D:Tylenol} (acetaminophen) is generally safe with {D:Eliquis}; avoid {D:Advil} and {D:Aleve}, which raise bleeding risk. Please confirm with your pharmacist.",
        "A {EP:Baker's cyst} is a fluid pocket behind the knee, usually from arthritis or a meniscus tear. It is rarely dangerous, but a swollen, painful calf needs a same-day visit.",
        "A {score:PHQ-9} suggests depression symptoms worth discussing with your clinician. Treatment can include therapy or {D:sertraline}. If you feel unsafe, call or text 988.",
        "{EP:Gilbert syndrome} is a harmless inherited condition. Fasting or illness can raise bilirubin a little, and {L:ALT} and {L:AST} stay normal. No treatment is needed.",
    ],
    "nursing_flowsheet": [
        "Shift note: VS WNL. {score:pain}. {EP:Foley catheter} draining clear yellow urine {num:300~500|mL}. {score:Braden}, {score:Morse}; bed alarm on, call light in reach.",
        "Neuro checks q1h: {score:GCS}, pupils {num:3~4|mm} and brisk, no drift. {score:NIHSS} unchanged from prior. HOB 30 degrees; {DV:SCDs} on. {O:Stroke Team} aware.",
        "{DV:PICC line} flushed with {U:10 mL} NS, dressing changed. {DV:Jackson-Pratt drain} emptied, {num:15~60|mL} serous. {D:heparin} {U:5,000 units} SC given. {score:pain}.",
    ],
    "ems_run_report": [
        "Refusal: pt " + "{agen:25~80}" + " y/o, A&O x4, {score:GCS}, {L:BGL} {num:90~140|mg/dL} after {D:D10} {U:100 mL}; declined transport, risks explained, capacity intact.",
        "Lift assist only. No injury found, {score:pain}. Pt takes {D:Eliquis}; denies head strike. Advised follow-up with {O:Primary Care}; no transport.",
        "Interfacility transfer: {O:ICU} to {O:Cath Lab}; {DV:IABP} 1:1, {D:heparin} {U:12 units/kg/hr}, {D:norepinephrine} {U:0.05 mcg/kg/min}; vitals stable en route.",
    ],
    "medication_reconciliation": [
        "Home meds verified with patient: {med:apixaban}; {med:metoprolol succinate}; {inh} PRN; {otc} PRN. Allergies: NKDA. No discrepancies.",
        "Med rec: continue {med:levothyroxine} and {med:atorvastatin}; HOLD {medn:metformin} (contrast today); new {med:ceftriaxone}.",
    ],
    "pharmacist_counseling": [
        "PharmD note: {D:Paxlovid} {U:300/100 mg} BID x5d; hold {D:atorvastatin} during the course. {lab:eGFR} - full dose OK. No {D:St. John's wort}.",
        "Counseled on {pen}: attach new needle, prime {U:2 units}, inject {num:10~20|units} nightly, rotate sites. Teach-back done; {DV:glucometer} reviewed.",
    ],
    "discharge_instructions": [
        "You can go home today. Take {med:cephalexin} until it is gone. Keep your leg raised. Return to the {O:Emergency Department} for fever over {U:101 °F} or spreading redness.",
    ],
}


def short_note(kind):
    return T(ch(SHORT[kind]))


if __name__ == "__main__":
    main()
