"""Every fact of the founding article is in the knowledge base, and a command shows it.

FACTS maps each fact, number and named thing of the article (data/ sources: `seed`) to
the command that shows it and short phrases, in the knowledge base's own wording, that
must appear in that command's output. The phrases are checked twice:

* against the command's plain output (`test_command_shows_fact`), and
* against the text of the entry itself in the YAML (`test_entry_holds_fact`), so that a
  phrase cannot pass only because it happens to be on the safety banner or elsewhere.

Ranges use an en dash ("15–20 minutes"), as the YAML does.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from back_spasm_cli.knowledge import kb
from tests.helpers import SHARED

ARTICLE = SHARED / "seed" / "back-spasms-article.txt"

#: The article lives in ../shared beside the checkout (as CI lays it out); without it
#: there is nothing to check the base against.
pytestmark = pytest.mark.skipif(
    not ARTICLE.is_file(), reason=f"the founding article is not here: {ARTICLE}"
)

OVERVIEW: tuple[str, ...] = ()
DOCTOR = ("doctor",)


def p(fact: str, command: tuple[str, ...], *phrases: str) -> Any:
    return pytest.param(command, phrases, id=fact)


FACTS = [
    # ------------------------------------------------------------------ introduction
    p("intro-cramp-involuntary-contraction", OVERVIEW, "muscle cramp", "involuntary contraction"),
    p("intro-painful-debilitating", OVERVIEW, "very painful", "debilitating"),
    p("intro-sudden", OVERVIEW, "start suddenly"),
    p(
        "intro-various-muscle-groups",
        OVERVIEW,
        "many groups of muscles",
        "the back muscles among them",
    ),
    p(
        "intro-understanding-causes-remedies",
        OVERVIEW,
        "commonly causes back spasms",
        "managing a spasm now",
        "preventing the next one",
    ),
    p(
        "causes-intro-multiple-causes-trigger",
        OVERVIEW,
        "more than one cause",
        "depends on the trigger",
    ),
    p(
        "remedies-intro-multifaceted",
        OVERVIEW,
        "several sides at once",
        "easing the pain",
        "relaxing the tense muscle",
        "stopping spasms from coming back",
    ),
    p("prevention-intro-proactive", OVERVIEW, "looking after your back actively"),
    p("conclusion-relief-possible", OVERVIEW, "relief is possible", "combining several remedies"),
    p("conclusion-fewer-milder", OVERVIEW, "fewer and milder spasms", "more comfortable life"),
    # ------------------------------------------------------------------ muscle strain
    p(
        "strain-primary-cause",
        ("causes", "muscle-strain"),
        "muscle strain or injury",
        "one of the most common reasons",
    ),
    p(
        "strain-overuse-overstretch",
        ("causes", "muscle-strain"),
        "(overuse)",
        "stretching them too far",
    ),
    p(
        "strain-lifting-intense-exercise",
        ("causes", "muscle-strain"),
        "lifting something heavy",
        "intense exercise",
    ),
    p("strain-fatigue", ("causes", "muscle-strain"), "tired muscles can go into spasm"),
    p(
        "strain-sudden-awkward",
        ("causes", "muscle-strain"),
        "a sudden movement",
        "awkward position",
        "painful contractions",
    ),
    p("strain-tears-pulls", ("causes", "muscle-strain"), "torn or pulled"),
    p(
        "strain-micro-tears-inflammation",
        ("causes", "muscle-strain"),
        "stretched further than they can cope with",
        "micro-tears",
        "inflamed",
    ),
    p(
        "strain-protective-spasm",
        ("causes", "muscle-strain"),
        "tighten into a spasm",
        "severe pain",
        "limit how far you can move",
    ),
    # ------------------------------------------------------------------ dehydration
    p(
        "dehydration-who-at-risk",
        ("causes", "dehydration-electrolytes"),
        "strenuous physical activity",
        "hot and humid",
    ),
    p(
        "dehydration-sodium-potassium-magnesium",
        ("causes", "dehydration-electrolytes"),
        "sodium, potassium and magnesium",
        "contract on their own",
    ),
    p(
        "dehydration-nerve-impulses",
        ("causes", "dehydration-electrolytes"),
        "nerve impulses",
        "smooth and well coordinated",
    ),
    p(
        "dehydration-hypersensitive",
        ("causes", "dehydration-electrolytes"),
        "hypersensitive",
        "spasms and cramps become more likely",
    ),
    p(
        "dehydration-prevent-hydration-diet",
        ("causes", "dehydration-electrolytes"),
        "drinking enough",
        "balanced diet with plenty of electrolytes",  # attributed, with its weak evidence
    ),
    # ------------------------------------------------------------------ posture
    p(
        "posture-awkward-long-periods",
        ("causes", "posture-ergonomics"),
        "poor posture",
        "long stretches of time",
        "awkward position",
    ),
    p(
        "posture-spine-alignment",
        ("causes", "posture-ergonomics"),
        "spine is out of line",
        "muscles, ligaments and tendons",
    ),
    p(
        "posture-chair-workstation",
        ("causes", "posture-ergonomics"),
        "uncomfortable chair",
        "badly designed workstation",
    ),
    p(
        "posture-repetitive-strain-chronic-tension",
        ("causes", "posture-ergonomics"),
        "repetitive strain injuries",
        "(chronic) muscle tension",
    ),
    # ------------------------------------------------------------------ medical conditions
    p(
        "medical-symptom-of-condition",
        ("causes", "medical-conditions"),
        "symptom of another health condition",
    ),
    p(
        "medical-disc-stenosis",
        ("causes", "medical-conditions"),
        "degenerative disc disease",
        "herniated (slipped) discs",
        "spinal stenosis",
    ),
    p("medical-tumours-infections", ("causes", "medical-conditions"), "tumours or infections"),
    p(
        "medical-nerve-compression",
        ("causes", "medical-conditions"),
        "nerve compression",
        "cause inflammation",
    ),
    p(
        "medical-diabetes-thyroid",
        ("causes", "medical-conditions"),
        "metabolic disorders",
        "diabetes or thyroid problems",
    ),
    p(
        "medical-regulation",
        ("causes", "medical-conditions"),
        "control of its muscles",
        "electrolyte balance",
    ),
    # ------------------------------------------------------------------ rest and ice
    p("rest-recover-heal", ("remedy", "rest-and-ice"), "recover and heal"),
    p(
        "rest-avoid-aggravating",
        ("remedy", "rest-and-ice"),
        "could make it worse",
        "more strain on the back muscles",
    ),
    p(
        "rest-break-relaxed-posture",
        ("remedy", "rest-and-ice"),
        "pause from physical effort",
        "more relaxed position",
    ),
    p("ice-simple-effective", ("remedy", "rest-and-ice"), "cold is a simple remedy"),
    p(
        "ice-effects",
        ("remedy", "rest-and-ice"),
        "ice pack or cold compress",
        "calm inflammation",
        "numb the pain",
        "constrict",
        "temporary",
    ),
    p(
        "ice-15-20-minutes-several-times",
        ("remedy", "rest-and-ice"),
        "15–20 minutes",
        "several times a day",
        "until the spasms settle",
    ),
    # ------------------------------------------------------------------ heat
    p(
        "heat-relax-blood-flow-stiffness",
        ("remedy", "heat"),
        "muscles relax",
        "more blood",
        "eases stiffness",
    ),
    p("heat-pads-baths-compresses", ("remedy", "heat"), "heating pad", "warm bath", "hot compress"),
    p("heat-nutrients-oxygen", ("remedy", "heat"), "oxygen and nutrients", "helps them heal"),
    p(
        "heat-soothing-comfort",
        ("remedy", "heat"),
        "soothing and comforting",
        "take the edge off the pain",
    ),
    # ------------------------------------------------------------------ stretching
    p(
        "stretch-flexibility-tension-circulation",
        ("remedy", "stretching-and-exercise"),
        "more flexible",
        "lowers their tension",
        "gets the blood moving",
    ),
    p(
        "stretch-lengthen-relax",
        ("remedy", "stretching-and-exercise"),
        "lengthen and relax",
        "stop further spasms",
    ),
    p(
        "stretch-caution-listen",
        ("remedy", "stretching-and-exercise"),
        "go carefully",
        "listen to your body's signals",
    ),
    p(
        "stretch-gradual-increase",
        ("remedy", "stretching-and-exercise"),
        "begin with gentle stretches",
        "stronger or longer",
    ),
    p(
        "stretch-avoid-sudden-forceful",
        ("remedy", "stretching-and-exercise"),
        "sudden, jerky or forceful moves",
    ),
    p(
        "stretch-swimming-walking-yoga",
        ("remedy", "stretching-and-exercise"),
        "swimming, walking or yoga",
        "build up the back muscles",
    ),
    p(
        "stretch-core-stability",
        ("remedy", "stretching-and-exercise"),
        "core stability",
        "chance of back spasms in future",
    ),
    # ------------------------------------------------------------------ massage
    p(
        "massage-tension-circulation-relax",
        ("remedy", "massage"),
        "relieve muscle tension",
        "improve blood flow",
        "help you relax",
    ),
    p(
        "massage-therapist-techniques",
        ("remedy", "massage"),
        "skilled massage therapist",
        "deep tissue massage",
        "trigger point therapy",
    ),
    p(
        "massage-knots-endorphins",
        ("remedy", "massage"),
        "muscle knots",
        "calm inflammation",
        "endorphins",
        "natural painkillers",
    ),
    p(
        "massage-range-of-motion",
        ("remedy", "massage"),
        "move further and more freely",
        "in the long run",
    ),
    # ------------------------------------------------------------------ medication
    p(
        "meds-severe-persistent",
        ("remedy", "medication"),
        "severe or keep going",
        "ease the muscle tension",
    ),
    p(
        "meds-otc-nsaids",
        ("remedy", "medication"),
        "over the counter",
        "(nsaids)",
        "ibuprofen",
        "naproxen",
        "temporary relief",
    ),
    p(
        "meds-prescribed-relaxants-stronger",
        ("remedy", "medication"),
        "may prescribe",
        "muscle relaxant",
        "stronger painkiller",
    ),
    p(
        "meds-follow-prescribed-dose-duration",
        ("remedy", "medication"),
        "exactly as prescribed",
        "how long you take them",
        "avoid side effects",
    ),
    # ------------------------------------------------------------------ physical therapy
    p("pt-vital-role", ("remedy", "physical-therapy"), "stopping them coming back"),
    p(
        "pt-custom-programme",
        ("remedy", "physical-therapy"),
        "exercise programme made for you",
        "improve your posture",
        "better balance",
    ),
    p(
        "pt-manual-therapy",
        ("remedy", "physical-therapy"),
        "joint mobilisation",
        "soft tissue manipulation",
        "move more easily",
    ),
    p(
        "pt-core-strengthening",
        ("remedy", "physical-therapy"),
        "core strengthening",
        "steady the spine",
        "future back spasms",
    ),
    p(
        "pt-deep-abdominal-back",
        ("remedy", "physical-therapy"),
        "deep muscles of the tummy (abdomen) and back",
        "firm base",
    ),
    # ------------------------------------------------------------------ lifestyle
    p(
        "lifestyle-frequency-severity",
        ("remedy", "lifestyle-changes"),
        "much less often",
        "less severe",
    ),
    p(
        "lifestyle-four-parts",
        ("remedy", "lifestyle-changes"),
        "hydration:",
        "nutrition:",
        "ergonomics:",
        "stress management:",
    ),
    p("hydration-adequate-water", ("lifestyle", "hydration"), "drinking enough water", "whole day"),
    p(
        "hydration-fluid-balance",
        ("lifestyle", "hydration"),
        "short of fluid",
        "cramps and spasms",
        "fluid balance",
    ),
    p(
        "nutrition-balanced-diet",
        ("lifestyle", "nutrition"),
        "well-balanced diet",
        "electrolytes, vitamins and minerals",
    ),
    p(
        "nutrition-foods",
        ("lifestyle", "nutrition"),
        "bananas",
        "leafy greens",
        "nuts",
        "dairy products",
    ),
    p(
        "nutrition-minerals",
        ("lifestyle", "nutrition"),
        "potassium, magnesium and calcium",
        "muscles need these minerals",
    ),
    p("ergonomics-evaluate", ("lifestyle", "ergonomics"), "your workplace and your home"),
    p(
        "ergonomics-adjust",
        ("lifestyle", "ergonomics"),
        "adjust your chair, desk and workstation",
        "support good posture",
    ),
    p(
        "ergonomics-aids",
        ("lifestyle", "ergonomics"),
        "ergonomic aids",
        "lumbar support cushion",
        "standing desk",
    ),
    p(
        "stress-chronic-tension",
        ("lifestyle", "stress-management"),
        "(chronic stress)",
        "muscles tense",
    ),
    p(
        "stress-techniques",
        ("lifestyle", "stress-management"),
        "deep breathing exercises",
        "meditation",
        "yoga",
        "ease muscle tension",
    ),
    # ------------------------------------------------------------------ prevention
    p("weight-excess-strain", ("prevent", "healthy-weight"), "extra weight", "spasms and injuries"),
    p(
        "weight-diet-exercise",
        ("prevent", "healthy-weight"),
        "balanced diet and regular exercise",
        "health of your back",
    ),
    p(
        "core-abdominal-back-foundation",
        ("prevent", "core-strength"),
        "tummy (abdomen) and your back",
        "solid base for good posture and movement",
    ),
    p(
        "core-regular-exercises",
        ("prevent", "core-strength"),
        "core-strengthening exercises regularly",
        "more stable",
    ),
    p("posture-all-day", ("prevent", "good-posture"), "all day long"),
    p(
        "posture-sit-stand-walk",
        ("prevent", "good-posture"),
        "sitting, standing or walking",
        "spine in line",
        "slouch or hunch",
    ),
    p("posture-correct-regularly", ("prevent", "good-posture"), "correct your posture on purpose"),
    p(
        "warmup-before-activity",
        ("prevent", "warm-up-cool-down"),
        "warm up your muscles",
        "before any physical activity",
    ),
    p(
        "cooldown-after-exercise",
        ("prevent", "warm-up-cool-down"),
        "cool down properly",
        "getting stiff",
    ),
    p(
        "warmup-dynamic-cardio",
        ("prevent", "warm-up-cool-down"),
        "dynamic stretches",
        "light cardio",
    ),
    p(
        "listen-avoid-overexertion",
        ("prevent", "listen-to-your-body"),
        "what your body is telling you",
        "avoid overexertion",
    ),
    p(
        "listen-break-and-rest",
        ("prevent", "listen-to-your-body"),
        "while you are active",
        "take a break and rest",
    ),
    p(
        "listen-pushing-through",
        ("prevent", "listen-to-your-body"),
        "pushing on through the pain",
        "more injury",
    ),
    # ------------------------------------------------------------------ FAQ
    p("faq-duration-varies", ("faq", "how-long"), "depends on what caused the spasm"),
    p(
        "faq-hours-to-days",
        ("faq", "how-long"),
        "mild to moderate",
        "a few hours to a couple of days",
    ),
    p(
        "faq-weeks-to-months",
        ("faq", "how-long"),
        "underlying medical condition",
        "several weeks or even months",
    ),
    p(
        "faq-help-severe-persistent",
        ("faq", "when-to-seek-help"),
        "severe or keep going",
        "other worrying symptoms",
    ),
    p(
        "faq-help-leg-symptoms",
        ("faq", "when-to-seek-help"),
        "very intense pain",
        "weakness, numbness or tingling in your legs",
    ),
    p("faq-help-daily-walking", ("faq", "when-to-seek-help"), "daily activities", "hard to walk"),
    p(
        "faq-help-professional",
        ("faq", "when-to-seek-help"),
        "examine you",
        "underlying problem",
        "right treatment",
    ),
    p(
        "faq-prevent-not-entirely",
        ("faq", "can-it-be-prevented"),
        "not be able to prevent back spasms completely",
    ),
    p("faq-prevent-proactive", ("faq", "can-it-be-prevented"), "active care", "a lot less often"),
    p(
        "faq-prevent-habits",
        ("faq", "can-it-be-prevented"),
        "healthy weight",
        "core muscles",
        "good posture",
        "general well-being",
        "free of pain",
    ),
    # ------------------------------------------------------------------ when to get help
    p(
        "doctor-article-warning-symptoms",
        DOCTOR,
        "difficulty walking",
        "numbness, tingling or pain spreading down one leg",
        "day-to-day activities",
        "severe pain",
    ),
    p(
        "doctor-uk-numbers",
        DOCTOR,
        "999 (united kingdom emergency)",
        "nhs 111 (england, united kingdom)",
    ),
]


# --------------------------------------------------------------------------- helpers


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).lower()


ENTRY_FIELDS = ("title", "summary", "body", "steps", "duration", "tips", "cautions", "evidence")
OVERVIEW_FIELDS = ("title", "summary", "body")
EXERCISE_FIELDS = ("title", "summary", "position", "steps", "hold", "repetitions", "cautions")
SECTIONS = {
    "causes": "causes",
    "remedy": "remedies",
    "lifestyle": "lifestyle",
    "prevent": "prevention",
    "faq": "faq",
    "exercises": "exercises",
}


def _join(item: Any, fields: tuple[str, ...]) -> str:
    parts: list[str] = []
    for name in fields:
        value = getattr(item, name)
        if value is None:
            continue
        parts.extend(value if isinstance(value, (list, tuple)) else [value])
    return " ".join(parts)


@pytest.fixture(scope="module")
def content() -> Any:
    return kb.load(use_cache=False).content


def entry_text(content: Any, command: tuple[str, ...]) -> str:
    """The shown text of what `command` displays, straight from the YAML."""
    if command == OVERVIEW:
        return fold(_join(content.overview[0], OVERVIEW_FIELDS))
    if command == DOCTOR:
        parts = [f"{c.title} {c.action}" for c in content.care_levels]
        parts += [flag.title for flag in content.red_flags]
        uk = next(r for r in content.regions if r.id == "uk")
        parts += [uk.emergency.label, *uk.emergency.notes]
        if uk.urgent:
            parts += [uk.urgent.label, *uk.urgent.notes]
        return fold(" ".join(parts))
    name, item_id = command
    items = getattr(content, SECTIONS[name])
    item = next(i for i in items if i.id == item_id)
    fields = EXERCISE_FIELDS if name == "exercises" else ENTRY_FIELDS
    return fold(_join(item, fields))


def cli_args(command: tuple[str, ...]) -> list[str]:
    extra = ["--region", "uk"] if command == DOCTOR else []
    return [*command, *extra, "--full", "--format", "plain"]


# --------------------------------------------------------------------------- tests


def test_fact_table_is_complete() -> None:
    ids = [param.id for param in FACTS]
    assert len(ids) >= 60
    assert len(set(ids)) == len(ids)
    for param in FACTS:
        _command, phrases = param.values
        assert phrases, param.id
        assert all(phrase == phrase.lower() for phrase in phrases), param.id


@pytest.mark.parametrize(("command", "phrases"), FACTS)
def test_entry_holds_fact(content: Any, command: tuple[str, ...], phrases: tuple[str, ...]) -> None:
    text = entry_text(content, command)
    missing = [phrase for phrase in phrases if phrase not in text]
    assert not missing, f"{command}: missing {missing}"


@pytest.mark.parametrize(("command", "phrases"), FACTS)
def test_command_shows_fact(
    invoke: Any, command: tuple[str, ...], phrases: tuple[str, ...]
) -> None:
    result = invoke(*cli_args(command))
    assert result.exit_code == 0, result
    missing = [phrase for phrase in phrases if phrase not in result.flat]
    assert not missing, f"spasm {' '.join(command)}: missing {missing}"


# --------------------------------------------------------------------------- wording rules

#: Named things and figures that must be quoted as the article gives them.
ALLOWED_RUNS = ("a few hours to a couple of days",)
MAX_SHARED_WORDS = 7


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_no_sentence_copied_from_the_article(content: Any) -> None:
    with open(ARTICLE, encoding="utf-8") as handle:
        article = _words(handle.read())
    size = MAX_SHARED_WORDS + 1
    shingles = {tuple(article[i : i + size]) for i in range(len(article) - size + 1)}
    copied = []
    for text in _strings(content.to_data()):
        pieces = [fold(text)]
        for allowed in ALLOWED_RUNS:
            pieces = [part for piece in pieces for part in piece.split(allowed)]
        for piece in pieces:
            words = _words(piece)
            copied += [
                " ".join(words[i : i + size])
                for i in range(len(words) - size + 1)
                if tuple(words[i : i + size]) in shingles
            ]
    assert not copied, f"runs of {size}+ words copied from the article: {copied}"


def test_no_medicine_doses(content: Any) -> None:
    for text in _strings(content.to_data()):
        assert not re.search(r"\d\s*(mg|milligram|ml|tablets?)\b", text, re.I), text
    medication = next(r for r in content.remedies if r.id == "medication")
    shown = fold(_join(medication, ENTRY_FIELDS))
    assert "times a day" not in shown
    assert not re.search(r"\bevery \d", shown)
