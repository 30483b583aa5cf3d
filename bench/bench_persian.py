"""What the back office's Persian-digit pass costs per page (issue 15).

Times ``persian_digits_in_html`` on a page shaped like the back office's branch list
(100 rows, codes, counts, a script). Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entekhab.hq.settings")


def main() -> None:
    import django

    django.setup()
    from entekhab.hq.web.digits import persian_digits_in_html

    row = ('<tr><td class="action-checkbox"><input type="checkbox" name="_selected_action" value="{n}" '
           'aria-label="انتخاب این مورد برای یک کار: C01-T01-R01-{n:04d}"></td><th class="field-code">'
           '<a href="/admin/elections/branch/{n}/change/">C01-T01-R01-{n:04d}</a></th><td>دبستان {n}</td>'
           '<td>{n}</td><td>1405/02/11 08:00</td><td><img src="/static/admin/img/icon-yes.svg" alt="بله"></td></tr>')
    html = "<html><body><table>" + "".join(row.format(n=n) for n in range(1, 101)) + "</table>"
    html += "<script>var x = 123;</script>" + "<p>۳ نتیجه (<a href='?p=2'>40 total</a>)</p>" * 20 + "</body></html>"
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        persian_digits_in_html(html)
    per_page = (time.perf_counter() - start) / runs
    print(f"admin page of {len(html.encode()) / 1024:.0f} KiB (100 rows): {per_page * 1000:.2f} ms per page")


if __name__ == "__main__":
    main()
