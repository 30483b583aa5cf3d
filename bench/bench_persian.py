"""What the back office's Persian-digit pass costs per page (issue 15).

Times ``persian_digits_in_html`` on a page shaped like the back office's branch list
(100 rows, codes, counts, a script). Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import time

from sample_text import FA

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entekhab.hq.settings")


def main() -> None:
    import django

    django.setup()
    from entekhab.hq.web.digits import persian_digits_in_html

    row = FA["admin_row"]
    html = "<html><body><table>" + "".join(row.format(n=n) for n in range(1, 101)) + "</table>"
    html += "<script>var x = 123;</script>" + FA["admin_footer"] * 20 + "</body></html>"
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        persian_digits_in_html(html)
    per_page = (time.perf_counter() - start) / runs
    print(f"admin page of {len(html.encode()) / 1024:.0f} KiB (100 rows): {per_page * 1000:.2f} ms per page")


if __name__ == "__main__":
    main()
