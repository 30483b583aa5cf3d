"""Pure capacity planning: queue models, discrete-event simulation, device sizing (no Django).

Layered bottom-up: ``erlang`` (M/M/c) · ``profiles`` (arrivals by hour) · ``service``
(authentication and ballot times) · ``scenario`` / ``branches`` (validated inputs) ·
``simulation`` (one branch's day) · ``sizing`` (least devices, minimality proof) ·
``rollup`` (areas, shortfall) · ``district`` (all branches, process pool) ·
``charts`` / ``report`` / ``export`` (what people and machines read). See
docs/planning.md.
"""
