"""Diagram text measured as it is drawn: in Chromium, with Noto CJK, Arabic,
Hebrew, Devanagari and colour emoji fonts (installed by .ci/run), every node's
text stays inside its node's shape, on playbooks named in those scripts.

Boxes are sized by playbook.textwidth's estimate; this is where the estimate
meets the browser's own measure (getBBox), for every node of every diagram.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from browser import file_url
from playwright.sync_api import Browser
from sitebuild import build_once

SCRIPTS: dict[str, dict[str, list[str]]] = {
    "japanese": {
        "stages": [
            "お問い合わせ",
            "ご来店時のお出迎えとご案内",
            "アフターケアと長期的なお付き合い",
        ],
        "departments": ["受付・予約センター", "店舗スタッフ（接客担当）"],
        "roles": ["受付担当", "店長"],
        "touchpoints": [
            "書面によるお見積もりの送付と内容のご説明",
            "電話",
            "ご来店時のお出迎え",
            "施術後のアフターケア方法についてのご説明とホームケア用品のご提案、次回予約",
            "ＡＢＣ全角英字１２３のお知らせ",
        ],
        "labels": ["お見積もりにご納得いただいた場合", "電話"],
    },
    "arabic": {
        "stages": ["الاستفسار", "زيارة العميل في المتجر", "المتابعة بعد الخدمة"],
        "departments": ["مكتب الاستقبال", "فريق الخدمة الميدانية"],
        "roles": ["موظف الاستقبال", "مدير الفرع"],
        "touchpoints": [
            "المكالمة الهاتفية الأولى مع العميل الجديد",
            "إرسال عرض السعر المكتوب وشرح تفاصيله للعميل",
            "زيارة",
            "درخواست می\u200cکنیم از مشتری",
            "الاتصال بالعميل بعد أسبوع للتأكد من رضاه عن الخدمة المقدمة له",
        ],
        "labels": ["إذا وافق العميل على عرض السعر", "نعم"],
    },
    "emoji": {
        "stages": ["📞 Inquiry", "🏠 Visit 🧹🧽🪣", "⭐️ Follow-up ❤️"],
        "departments": ["👩\u200d💼 Office", "👷\u200d♀️ Field team 🚐"],
        "roles": ["🧑\u200d💻 Coordinator", "👩\u200d🔧 Technician"],
        "touchpoints": [
            "👩\u200d🔧 First call",
            "🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉",
            "🇯🇵🇩🇪🇫🇷 Flags of every customer 🏳️\u200d🌈",
            "👨\u200d👩\u200d👧\u200d👦 Family visit with 🐶 and 🐱 at home",
            "✅ Done",
        ],
        "labels": ["👍 accepted 🎉🎉🎉🎉🎉🎉", "✅"],
    },
    "mixed": {
        "stages": ["שאלה ראשונה של הלקוח", "ग्राहक सेवा केंद्र में स्वागत", "고객 방문 후 관리"],
        "departments": ["สำนักงานบริการลูกค้า", "Отдел выездного обслуживания"],
        "roles": ["रिसेप्शनिस्ट", "Ελεγκτής ποιότητας"],
        "touchpoints": [
            "שיחת טלפון ראשונה עם לקוח חדש ומילוי פרטים",
            "ग्राहक के घर पर पहली मुलाक़ात और निरीक्षण",
            "고객님께 서면 견적서 발송 및 설명",
            "โทรติดตามหลังการให้บริการหนึ่งสัปดาห์",
            "Übergabe an das Büro: Straße, Größe, Maße",
        ],
        "labels": ["ग्राहक ने लिखित कोटेशन स्वीकार किया", "고객님이 견적을 수락함"],
    },
    # Scripts whose letters are wider than Graphviz's guess and than one figure for
    # every script (Tamil ஊ 1.54 em, ணை 2.8): each character measured (glyphwidths).
    "wide-letters": {
        "stages": ["ஊழியர் ஊதியம்", "ഉപഭോക്തൃ സേവന കേന്ദ്രം", "ணை ஊஊ"],
        "departments": ["පාරිභෝගික සේවා මධ්‍යස්ථානය", "ஊழியர் ஊதிய அலுவலகம்"],
        "roles": ["ஊழியர்", "ОТДЕЛ ЖИЛЬЦОВ"],
        "touchpoints": [
            "ஊழியர் ஊதியம் ஊர்வலம் ஊக்கம்",
            "ഉപഭോക്താവിന്റെ വീട്ടിലേക്കുള്ള ആദ്യ സന്ദർശനം",
            "‰‰‰‰‰‰ ™™™™™ ⅷⅷⅷⅷ ⁂⁂⁂⁂",
            "ЩЖЮШЫ ЖЖЖ ШШШ ЮЮЮ ЩЩЩ",
            "ꦱꦼꦂꦮꦶꦱ꧀ ꦥꦼꦭꦤ꧀ꦠꦸꦏ꧀",
        ],
        "labels": ["ஊழியர் ஊதியம் ஊக்கம் ஊர்வலம்", "ஊஊ"],
    },
    # Plain ASCII too: Graphviz reckons it in Times, narrower than the Helvetica drawn.
    "latin": {
        "stages": ["Inquiry", "Passes assessment easily", "Follow-up"],
        "departments": ["Sales", "Assessment services"],
        "roles": ["Assessor", "Sales lead"],
        "touchpoints": [
            "Passes assessment easily",
            "Sessions discusses cases",
            "Assess access, see cases",
            "Reassess classes",
            "Welcome",
        ],
        "labels": ["customer accepts the written quote", "yes"],
    },
}


def write_playbook(root: Path, names: dict[str, list[str]]) -> Path:
    """A playbook of three stages, two departments, two roles and five touch points,
    every name from `names`, the arrows labelled from `names["labels"]` (else the
    second role's name); ids are ASCII, as the content model wants."""
    content = root / "content"
    for folder in ("roles", "touchpoints", "training"):
        (content / folder).mkdir(parents=True, exist_ok=True)

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    stages = "".join(f"  - id: s{i}\n    name: {q(n)}\n" for i, n in enumerate(names["stages"]))
    depts = "".join(f"  - id: d{i}\n    name: {q(n)}\n" for i, n in enumerate(names["departments"]))
    (content / "playbook.yml").write_text(
        f"format: 1\norganization: {q(names['stages'][0])}\ntitle: {q(names['roles'][0])}\n"
        f"stages:\n{stages}departments:\n{depts}",
        encoding="utf-8",
    )
    for i, n in enumerate(names["roles"]):
        (content / f"roles/r{i}.yml").write_text(
            f"name: {q(n)}\ndepartment: d{i}\ntraining: [basics]\n", encoding="utf-8"
        )
    count = len(names["touchpoints"])
    labels = names.get("labels") or [names["roles"][1]]
    for i, n in enumerate(names["touchpoints"]):
        label = labels[i % len(labels)]
        nxt = f"next:\n  - to: t{i + 1}\n    label: {q(label)}\n" if i + 1 < count else ""
        (content / f"touchpoints/t{i}.yml").write_text(
            textwrap.dedent(f"""\
                name: {q(n)}
                stage: s{i % 3}
                department: d{i % 2}
                owner: r{i % 2}
                roles: [r{(i + 1) % 2}]
                channel: phone
                category: {("respond", "revenue", "rescue", "relationship")[i % 4]}
                moment_of_truth: {"true" if i == 1 else "false"}
                summary: {q(n)}
                standards:
                  - id: first
                    text: {q(n)}
                    target: 3
                """)
            + nxt,
            encoding="utf-8",
        )
    (content / "training/basics.yml").write_text(
        "title: Basics\nroles: [r0, r1]\ntouchpoints: [t0]\nobjectives:\n  - x\n",
        encoding="utf-8",
    )
    return root


MEASURE = """() => Array.from(document.querySelectorAll('svg g.node')).map(g => {
  const shape = g.querySelector('path, polygon, ellipse');
  const texts = Array.from(g.querySelectorAll('text')).map(t => {
    const b = t.getBBox();
    return [t.textContent, b.x, b.y, b.width, b.height];
  });
  if (!shape) return null;
  const s = shape.getBBox();
  return {name: g.dataset.name, tag: shape.tagName, shape: [s.x, s.y, s.width, s.height], texts};
}).filter(n => n)"""

ARROW_LABELS = r"""() => Array.from(document.querySelectorAll('svg')).flatMap(svg => {
  const drawing = svg.querySelector('g.graph');
  if (!drawing || !svg.viewBox.baseVal || !svg.viewBox.baseVal.width) return [];
  const view = svg.viewBox.baseVal, move = drawing.transform.baseVal.consolidate();
  const dx = move ? move.matrix.e : 0, dy = move ? move.matrix.f : 0;
  const nodes = Array.from(svg.querySelectorAll('g.node'))
    .map(g => g.querySelector('path, polygon, ellipse')).filter(s => s).map(s => s.getBBox());
  return Array.from(svg.querySelectorAll('g.edge')).flatMap(g => {
    const path = g.querySelector('path'), text = g.querySelector('text');
    if (!path || !text) return [];
    // The box of the drawn characters: the spaces around the words take no ink.
    const chars = Array.from({length: text.getNumberOfChars()}, (_, i) => i)
      .filter(i => !/\s/.test(text.textContent.charAt(i))).map(i => text.getExtentOfChar(i));
    if (!chars.length) return [];
    const left = Math.min(...chars.map(r => r.x)), top = Math.min(...chars.map(r => r.y));
    const b = {x: left, y: top, width: Math.max(...chars.map(r => r.x + r.width)) - left,
               height: Math.max(...chars.map(r => r.y + r.height)) - top}, found = [];
    const inside = (x, y, r) => x > r.x + 0.5 && x < r.x + r.width - 0.5
      && y > r.y + 0.5 && y < r.y + r.height - 0.5;
    if (b.x + dx < view.x - 0.5 || b.x + b.width + dx > view.x + view.width + 0.5)
      found.push(`${b.x + dx}..${b.x + b.width + dx} outside the drawing 0..${view.width}`);
    const length = path.getTotalLength();
    for (let i = 0; i <= 100; i++) {
      const p = path.getPointAtLength(length * i / 100);
      if (inside(p.x, p.y, b)) { found.push(`on its own arrow at ${p.x},${p.y}`); break; }
    }
    for (const r of nodes)
      if (b.x < r.x + r.width - 0.5 && b.x + b.width > r.x + 0.5
          && b.y < r.y + r.height - 0.5 && b.y + b.height > r.y + 0.5)
        found.push('over a node');
    return found.map(f => `${text.textContent.trim()} ${b.x}..${b.x + b.width}: ${f}`);
  });
})"""


def test_the_fonts_the_measure_depends_on_are_installed() -> None:
    # Without them Chromium draws boxes (tofu) of its own width: the measure would mean nothing.
    families = subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, check=True
    ).stdout
    for family in ("Noto Sans CJK JP", "Noto Color Emoji", "Noto Sans Arabic", "Noto Sans Hebrew"):
        assert family in families, f"{family} is not installed: see .ci/run"
    assert shutil.which("fc-list")


@pytest.mark.parametrize("script", SCRIPTS)
def test_no_diagram_label_leaves_its_node(
    script: str, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    project = write_playbook(tmp_path_factory.mktemp(script), SCRIPTS[script])
    site = build_once(f"unicode-{script}", project)
    addresses = ["", "departments/"]
    addresses += [f"stages/s{i}/" for i in range(3)] + ["roles/r0/", "roles/r1/"]
    page = browser.new_page()
    checked = 0
    outside: list[str] = []
    try:
        for address in addresses:
            page.goto(file_url(site / address / "index.html"))
            page.evaluate("document.fonts.ready")
            for node in page.evaluate(MEASURE):
                x, y, w, h = node["shape"]
                for text, tx, ty, tw, th in node["texts"]:
                    checked += 1
                    if (
                        tx < x - 0.5
                        or tx + tw > x + w + 0.5
                        or ty < y - 0.5
                        or ty + th > y + h + 0.5
                    ):
                        outside.append(
                            f"/{address} {node['name']} {text!r}: text {tx:.1f}..{tx + tw:.1f} "
                            f"x {ty:.1f}..{ty + th:.1f}, {node['tag']} {x:.1f}..{x + w:.1f} "
                            f"x {y:.1f}..{y + h:.1f}"
                        )
            outside += [f"/{address} arrow label {found}" for found in page.evaluate(ARROW_LABELS)]
    finally:
        page.close()
    assert checked >= 20  # the playbook's nodes were found and measured
    assert not outside, "\n".join(outside)
