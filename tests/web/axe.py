"""axe-core in the browser tests: the npm package's axe.min.js, vendored in tests/web/vendor/axe-core
(nothing is downloaded at run time). `serious_violations(page)` runs it on the page as it is and
returns the serious and critical violations, one line each, for an assertion message."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"


def serious_violations(page) -> list[str]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
             const result = await axe.run(document, {resultTypes: ['violations']});
             return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
               .map(v => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')})`);
           }"""
    )
