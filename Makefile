# Two commands do all set-up on a fresh Debian machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APT_STAMP := $(VENV)/.apt-installed
APT_PACKAGES := chromium chromium-driver poppler-utils espeak-ng fonts-dejavu-core libpulse0 \
	xvfb x11-utils libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon0 libxkbcommon-x11-0 libegl1 libgl1 \
	libfontconfig1 libdbus-1-3 libusb-1.0-0 postgresql
# What building and checking the Debian packages needs (make packages, test-install, lintian)
INSTALLER_APT_PACKAGES := debootstrap dpkg-dev binutils lintian systemd
INSTALLER_APT_STAMP := $(VENV)/.installer-apt-installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench lint lock apt install clean packages test-install lintian

run: $(STAMP)
	$(VENV)/bin/qserver demo --data demo-data

test: $(STAMP) $(APT_STAMP) node_modules/socket.io-client
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q -p no:cacheprovider
	$(MAKE) --no-print-directory bench-tiny

bench: $(STAMP)
	$(PY) -m bench.run_all

bench-tiny: $(STAMP)
	$(PY) -m bench.run_all --tiny

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Debian packages per machine role into dist/ (docs/install.md); needs root (debootstrap, chroot).
packages: $(STAMP) $(INSTALLER_APT_STAMP)
	$(SUDO) $(PY) -m installers packages

# Installs dist/*.deb into a throwaway Debian 12 root and uses, upgrades and purges them.
test-install: packages
	$(SUDO) $(PY) -m installers test-install

# Debian's own checks of the packages (slow: ten minutes or so); docs/install.md explains each warning.
lintian: $(INSTALLER_APT_STAMP)
	lintian --tag-display-limit 0 --fail-on error dist/*.deb

$(INSTALLER_APT_STAMP): | $(VENV)/bin/python
	@missing=""; for p in $(INSTALLER_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	touch $(INSTALLER_APT_STAMP)

$(VENV)/bin/python:
	python3 -m venv $(VENV)

# Installs exactly the locked set (requirements.lock), then our own code on top of it.
$(STAMP): pyproject.toml requirements.lock | $(VENV)/bin/python
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

# Regenerate the lock after changing dependencies in pyproject.toml (needs the network).
lock: | $(VENV)/bin/python
	$(PY) -m pip install -q 'uv>=0.4,<1'
	$(VENV)/bin/uv pip compile pyproject.toml --all-extras --python-version 3.11 \
		--python-platform x86_64-manylinux_2_36 -o requirements.lock

$(APT_STAMP): | $(VENV)/bin/python
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	touch $(APT_STAMP)

node_modules/socket.io-client: package.json | $(APT_STAMP)
	npm install --no-audit --no-fund --silent
	touch node_modules/socket.io-client

clean:
	rm -rf $(VENV) node_modules demo-data build dist
