# Entekhab: two commands for a newcomer, `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/entekhab
FONT_SRC := node_modules/vazirmatn
FONT_DST := src/entekhab/hq/static/fonts
# The branch device ships its own copy (package data of entekhab.device, docs/install.md).
DEVICE_FONTS := src/entekhab/device/assets/fonts
PYTEST := $(BIN)/pytest -p no:cacheprovider
# pytest exits 5 when a selection holds no test: that is not a failure of the suite.
ok5 = || [ $$? -eq 5 ]

.PHONY: demo test db-tests install system assets messages lint test-pure test-sqlite test-pg bench clean

# Every flag of `entekhab demo` is a make variable: make demo PORT=8100 SCALE=tehran NO_SERVE=1
PORT ?= 8000
SCALE ?= small
SEED ?= 1405
NO_SERVE ?=
NO_POLLING ?=
demo: install assets
	$(BIN)/entekhab demo --port $(PORT) --scale $(SCALE) --seed $(SEED) $(if $(NO_SERVE),--no-serve) \
	    $(if $(NO_POLLING),--no-polling)

test: install assets lint
	$(PYTEST) -m "not db" -n 2
	$(MAKE) --no-print-directory db-tests
	bash scripts/ensure-postgres.sh
	DATABASE_URL=$(PG_URL) $(MAKE) --no-print-directory db-tests

# The db tests that share the session's demo election, then those that commit for real.
db-tests:
	$(PYTEST) -m "db and not transactional" -n 2 $(ok5)
	$(PYTEST) -m "db and transactional" -n 2 $(ok5)

test-pure: install assets
	$(PYTEST) -m "not db" -n 2

test-sqlite: install assets
	$(MAKE) --no-print-directory db-tests

test-pg: install assets
	bash scripts/ensure-postgres.sh
	DATABASE_URL=$(PG_URL) $(MAKE) --no-print-directory db-tests

lint: install
	$(BIN)/ruff check src tests bench

system: .stamp-system
.stamp-system: scripts/install-system.sh
	bash scripts/install-system.sh
	touch $@

install: system $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

assets: system $(FONT_DST)/.installed $(DEVICE_FONTS)/.installed messages
$(FONT_DST)/.installed: package.json
	npm install --no-audit --no-fund --silent
	mkdir -p $(FONT_DST)
	cp $(FONT_SRC)/fonts/webfonts/Vazirmatn-Regular.woff2 $(FONT_SRC)/fonts/webfonts/Vazirmatn-Bold.woff2 \
	   $(FONT_SRC)/fonts/ttf/Vazirmatn-Regular.ttf $(FONT_SRC)/fonts/ttf/Vazirmatn-Bold.ttf \
	   $(FONT_SRC)/misc/Farsi-Digits/fonts/webfonts/Vazirmatn-FD-Regular.woff2 \
	   $(FONT_SRC)/misc/Farsi-Digits/fonts/webfonts/Vazirmatn-FD-Bold.woff2 \
	   $(FONT_SRC)/OFL.txt $(FONT_DST)/
	touch $@
$(DEVICE_FONTS)/.installed: $(FONT_DST)/.installed
	mkdir -p $(DEVICE_FONTS)
	cp $(FONT_DST)/Vazirmatn-Regular.woff2 $(FONT_DST)/Vazirmatn-Bold.woff2 $(FONT_DST)/Vazirmatn-Regular.ttf \
	   $(FONT_DST)/Vazirmatn-Bold.ttf $(FONT_DST)/OFL.txt $(DEVICE_FONTS)/
	touch $@

messages: system
	@for po in $$(find src -name '*.po'); do msgfmt --check -o "$${po%.po}.mo" "$$po"; done

bench: install assets
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f; done

clean:
	rm -rf $(VENV) node_modules $(FONT_DST) $(DEVICE_FONTS) data .stamp-system
