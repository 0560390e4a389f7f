"""Compose synthetic pages that look like the extracted text of real web pages.

A page is a list of (label, text) rows in reading order: title, top chrome, lead, article,
sidebar, bottom chrome; consent blocks (1-12 lines, a full cookie declaration after some) anywhere among or inside these.  The
article holds short content (lists, table cells, subheadings, dialogue) and sometimes chrome
(read-also links, teasers); chrome holds sentence-like lines (teasers, related titles from
other documents, comment-form sentences, tooltips); a fifth of the pages are short.  All randomness comes from the
random.Random passed in, so the same seed gives the same pages.
"""

import random
import re

from . import handwritten as hw
from .langs import AUTONYMS, NO_SPACE_LANGS

SEPARATORS = [" | ", " · ", " • ", " / ", " – ", " » ", "  ", " - "]
CRUMB_SEPARATORS = [" › ", " > ", " / ", " » ", " → "]
SOCIAL = ["Facebook", "X", "Twitter", "WhatsApp", "LinkedIn", "Pinterest", "Telegram", "Reddit",
          "Instagram", "YouTube", "Flipboard", "VK", "Weibo", "LINE"]
LICENCES = ["CC BY-SA 4.0", "Creative Commons Attribution-ShareAlike", "GNU Free Documentation License 1.3"]
SYLLABLES = ["ka", "lo", "mi", "ra", "ven", "tor", "sel", "nu", "da", "rix", "bel", "mon", "ta",
             "vo", "ly", "qua", "zen", "ori", "pa", "sta", "mar", "kel", "fi", "no", "dex"]
SUFFIXES = ["News", "Post", "Times", "Daily", "Blog", "Journal", "Today", "Online", "Magazine",
            "Review", "Wiki", "Herald", "24", "Press", "Hub"]
FIRST = ["Anna", "Jonas", "Maria", "Lukas", "Sofia", "David", "Elena", "Omar", "Yuki", "Chen",
         "Priya", "Ahmet", "Olga", "Pierre", "Lucia", "Mateo", "Ingrid", "Tomasz", "Nadia", "Leo"]
LAST = ["Müller", "Rossi", "García", "Kowalski", "Novak", "Jensen", "Dubois", "Yılmaz", "Ivanova",
        "Tanaka", "Kim", "Nguyen", "Silva", "Smith", "Haddad", "Cohen", "Sharma", "Lindqvist"]

MENU_SLOTS = ["home", "about", "recent", "random", "help", "categories", "portal", "current",
              "donate", "faq", "archives", "wp_categories", "recent_posts", "pages", "posts",
              "calendar", "tag_cloud", "wp_home", "wp_about", "archive", "talk", "history",
              "contents", "special", "upload", "watchlist", "meta", "comments"]
ACCOUNT_SLOTS = ["login", "register", "wp_login", "wp_register", "logout", "prefs", "contribs",
                 "search", "wp_search", "search2", "lost_password"]
FOOTER_SLOTS = ["privacy", "about", "disclaimers", "help", "faq", "special", "permalink",
                "print", "whatlinks", "back_to_top", "top", "edit_page"]


# Cookie declarations, as consent dialogs list them (one row per field, or the bare value).
# Field names are the usual ones of consent managers; cookie names, providers and lifetimes are
# common public ones. Languages without a row here use English field names, as many sites do.
COOKIE_FIELDS = {
    "en": ("Name", "Provider", "Purpose", "Expiry", "Type", "Privacy policy", "Host"),
    "de": ("Name", "Anbieter", "Zweck", "Laufzeit", "Typ", "Datenschutzerklärung", "Host"),
    "fr": ("Nom", "Fournisseur", "Finalité", "Durée", "Type", "Politique de confidentialité", "Hôte"),
    "es": ("Nombre", "Proveedor", "Finalidad", "Caducidad", "Tipo", "Política de privacidad", "Host"),
    "it": ("Nome", "Fornitore", "Scopo", "Scadenza", "Tipo", "Informativa sulla privacy", "Host"),
    "nl": ("Naam", "Aanbieder", "Doel", "Vervaltijd", "Type", "Privacybeleid", "Host"),
    "pt": ("Nome", "Fornecedor", "Finalidade", "Validade", "Tipo", "Política de privacidade", "Host"),
    "pl": ("Nazwa", "Dostawca", "Cel", "Wygaśnięcie", "Typ", "Polityka prywatności", "Host"),
    "sv": ("Namn", "Leverantör", "Syfte", "Utgångstid", "Typ", "Integritetspolicy", "Värd"),
    "da": ("Navn", "Udbyder", "Formål", "Udløb", "Type", "Privatlivspolitik", "Vært"),
    "tr": ("Ad", "Sağlayıcı", "Amaç", "Süre", "Tür", "Gizlilik politikası", "Ana bilgisayar"),
    "ru": ("Имя", "Поставщик", "Цель", "Срок действия", "Тип", "Политика конфиденциальности", "Хост"),
}
COOKIE_EXPIRY = {
    "en": ("Session", "1 day", "30 minutes", "1 year", "2 years", "13 months", "6 months", "90 days"),
    "de": ("Sitzung", "1 Tag", "30 Minuten", "1 Jahr", "2 Jahre", "13 Monate", "6 Monate", "90 Tage"),
    "fr": ("Session", "1 jour", "30 minutes", "1 an", "2 ans", "13 mois", "6 mois", "90 jours"),
    "es": ("Sesión", "1 día", "30 minutos", "1 año", "2 años", "13 meses", "6 meses", "90 días"),
}
COOKIES = (("_ga", "Google"), ("_gid", "Google"), ("_gat", "Google"), ("_gcl_au", "Google"),
           ("NID", "Google"), ("IDE", "Google DoubleClick"), ("test_cookie", "Google DoubleClick"),
           ("YSC", "YouTube"), ("VISITOR_INFO1_LIVE", "YouTube"), ("_fbp", "Meta Platforms"),
           ("fr", "Meta Platforms"), ("MUID", "Microsoft"), ("_clck", "Microsoft Clarity"),
           ("_clsk", "Microsoft Clarity"), ("bcookie", "LinkedIn"), ("lidc", "LinkedIn"),
           ("_hjSessionUser_#", "Hotjar"), ("_hjSession_#", "Hotjar"), ("__cf_bm", "Cloudflare"),
           ("_pk_id.#", "Matomo"), ("_pk_ses.#", "Matomo"), ("PHPSESSID", "%SITE%"),
           ("JSESSIONID", "%SITE%"), ("AWSALB", "Amazon Web Services"), ("__hssc", "HubSpot"),
           ("hubspotutk", "HubSpot"), ("__stripe_mid", "Stripe"), ("personalization_id", "X"),
           ("_pin_unauth", "Pinterest"), ("_ttp", "TikTok"), ("cookie_consent", "%SITE%"),
           ("wordpress_test_cookie", "%SITE%"), ("tk_ai", "Automattic"), ("s_cc", "Adobe"))
COOKIE_PURPOSE = {
    "en": ("Registers a unique ID used to generate statistical data on how the visitor uses the website.",
           "Used to throttle the request rate.", "Stores the user's consent state for the current domain.",
           "Used by the advertising network to show relevant ads and measure their performance.",
           "Keeps the session of the visitor across page requests.",
           "Collects anonymous data on the visitor's visits to the website."),
    "de": ("Registriert eine eindeutige ID, um statistische Daten zur Nutzung der Website zu erzeugen.",
           "Speichert den Zustimmungsstatus des Benutzers für die aktuelle Domain.",
           "Wird verwendet, um relevante Werbung anzuzeigen und deren Wirkung zu messen.",
           "Erhält die Sitzung des Besuchers über mehrere Seitenaufrufe.",
           "Erfasst anonyme Daten über die Besuche auf der Website."),
}


def cookie_table(rng, iso):
    """2-6 cookies of a consent dialog's declaration, one row per field (site names filled in
    later by the page)."""
    fields = COOKIE_FIELDS.get(iso, COOKIE_FIELDS["en"])
    expiry = COOKIE_EXPIRY.get(iso, COOKIE_EXPIRY["en"])
    purpose = COOKIE_PURPOSE.get(iso, COOKIE_PURPOSE["en"])
    labelled = rng.random() < 0.7
    split = rng.random() < 0.4
    rows = []
    for name, provider in _pick(rng, COOKIES, rng.randint(2, 6)):
        name = name.replace("#", str(rng.randint(100000, 9999999)))
        provider = provider.replace("%SITE%", "%s.%s" % (rng.choice(("shop", "news", "blog",
                                                                      "portal", "verein")),
                                                        rng.choice(("de", "com", "org", "eu"))))
        values = [name, provider, rng.choice(purpose), rng.choice(expiry),
                  rng.choice(("HTTP Cookie", "HTML Local Storage", "Pixel", "HTTP"))]
        if rng.random() < 0.2:
            values.append("https://%s/privacy" % provider.split()[0].lower())
        if rng.random() < 0.2:
            values.append(rng.choice((".", "www.")) + provider.split()[0].lower() + ".com")
        keep = sorted(_pick(rng, range(len(values)), rng.randint(2, len(values))))
        if 0 not in keep:
            keep = [0] + keep
        for k in keep:
            if not labelled:
                rows.append(values[k])
            elif split:                     # label cell and value cell on lines of their own
                rows += [fields[k], values[k]]
            else:
                rows.append("%s: %s" % (fields[k], values[k]))
    return rows


# The services a full cookie declaration lists (the dialogs of Borlabs Cookie, Cookiebot,
# Usercentrics, Complianz): each with its company's public address, hosts and cookie names.
SERVICES = (
    ("Google Maps", "Google Ireland Limited, Gordon House, Barrow Street, Dublin 4, Ireland",
     ".google.com", ("NID",), "unlock"),
    ("YouTube", "Google Ireland Limited, Gordon House, Barrow Street, Dublin 4, Ireland",
     "google.com, youtube.com, youtube-nocookie.com", ("NID", "YSC", "VISITOR_INFO1_LIVE"), "unlock"),
    ("Google Analytics", "Google Ireland Limited, Gordon House, Barrow Street, Dublin 4, Ireland",
     ".google-analytics.com, .googletagmanager.com", ("_ga", "_gid", "_gat"), "stats"),
    ("Google Ads", "Google Ireland Limited, Gordon House, Barrow Street, Dublin 4, Ireland",
     "doubleclick.net, googleadservices.com", ("IDE", "test_cookie", "_gcl_au"), "ads"),
    ("Facebook", "Meta Platforms Ireland Limited, 4 Grand Canal Square, Dublin 2, Ireland",
     ".facebook.com", ("fr", "_fbp"), "unlock"),
    ("Meta Pixel", "Meta Platforms Ireland Limited, 4 Grand Canal Square, Dublin 2, Ireland",
     ".facebook.com, connect.facebook.net", ("_fbp", "fr"), "ads"),
    ("Instagram", "Meta Platforms Ireland Limited, 4 Grand Canal Square, Dublin 2, Ireland",
     ".instagram.com", ("ig_did", "csrftoken"), "unlock"),
    ("Vimeo", "Vimeo Inc., 555 West 18th Street, New York, New York 10011, USA",
     "player.vimeo.com", ("vuid",), "unlock"),
    ("X (Twitter)", "Twitter International Unlimited Company, One Cumberland Place, Fenian Street, Dublin 2, Ireland",
     ".twimg.com, .x.com", ("personalization_id", "guest_id"), "unlock"),
    ("LinkedIn Insight Tag", "LinkedIn Ireland Unlimited Company, Wilton Plaza, Dublin 2, Ireland",
     ".linkedin.com", ("bcookie", "lidc", "li_gc"), "ads"),
    ("Microsoft Clarity", "Microsoft Ireland Operations Limited, One Microsoft Place, South County Business Park, Leopardstown, Dublin 18, Ireland",
     ".clarity.ms", ("_clck", "_clsk", "MUID"), "stats"),
    ("Hotjar", "Hotjar Ltd., Dragonara Business Centre, 5th Floor, Dragonara Road, St Julian's STJ 3141, Malta",
     ".hotjar.com", ("_hjSessionUser_#", "_hjSession_#"), "stats"),
    ("Matomo", "%SITE%", "%HOST%", ("_pk_id.#", "_pk_ses.#"), "stats"),
    ("Cloudflare", "Cloudflare, Inc., 101 Townsend St., San Francisco, CA 94107, USA",
     ".cloudflare.com", ("__cf_bm", "cf_clearance"), "essential"),
    ("Pinterest", "Pinterest Europe Ltd., Palmerston House, 2nd Floor, Fenian Street, Dublin 2, Ireland",
     ".pinterest.com", ("_pin_unauth", "_pinterest_ct_ua"), "ads"),
    ("TikTok Pixel", "TikTok Technology Limited, 10 Earlsfort Terrace, Dublin, D02 T380, Ireland",
     ".tiktok.com", ("_ttp", "ttwid"), "ads"),
    ("PayPal", "PayPal (Europe) S.à r.l. et Cie, S.C.A., 22-24 Boulevard Royal, L-2449 Luxembourg",
     ".paypal.com", ("ts", "ts_c", "enforce_policy"), "essential"),
    ("HubSpot", "HubSpot Ireland Ltd., 1 Sir John Rogerson's Quay, Dublin 2, Ireland",
     ".hubspot.com, .hs-scripts.com", ("hubspotutk", "__hssc", "__hstc"), "stats"),
    ("Spotify", "Spotify AB, Regeringsgatan 19, 111 53 Stockholm, Sweden",
     "open.spotify.com", ("sp_t", "sp_landing"), "unlock"),
    ("Cookie consent", "%SITE%", "%HOST%", ("cookie_consent", "borlabs-cookie", "cmplz_consent"), "essential"),
    ("Session", "%SITE%", "%HOST%", ("PHPSESSID", "wordpress_test_cookie", "JSESSIONID"), "essential"),
)
# Words of a declaration beyond COOKIE_FIELDS: "cookie name", show / hide details, and the
# purpose of a service that loads outside content ({} is the service).
DECL_WORDS = {
    "en": ("Cookie name", "Show details", "Hide details", "Used to load content from {}."),
    "de": ("Cookie-Name", "Details anzeigen", "Details ausblenden", "Dient dazu, Inhalte von {} zu laden."),
    "fr": ("Nom du cookie", "Afficher les détails", "Masquer les détails", "Utilisé pour afficher les contenus de {}."),
    "es": ("Nombre de la cookie", "Mostrar detalles", "Ocultar detalles", "Se utiliza para mostrar contenido de {}."),
    "it": ("Nome del cookie", "Mostra dettagli", "Nascondi dettagli", "Utilizzato per mostrare i contenuti di {}."),
    "nl": ("Cookienaam", "Details tonen", "Details verbergen", "Wordt gebruikt om inhoud van {} te tonen."),
    "pt": ("Nome do cookie", "Mostrar detalhes", "Ocultar detalhes", "Utilizado para exibir conteúdos de {}."),
    "pl": ("Nazwa pliku cookie", "Pokaż szczegóły", "Ukryj szczegóły", "Służy do wyświetlania treści z {}."),
}


def declaration(rng, iso, cons):
    """A consent dialog's full cookie declaration, as sites show it in their settings: the
    categories, each with its services (name, provider, purpose, privacy policy, hosts,
    cookie names, lifetime), one field per line, as label and value lines or both on one
    line; 20 to about 200 lines."""
    fields = COOKIE_FIELDS.get(iso, COOKIE_FIELDS["en"])
    expiry = COOKIE_EXPIRY.get(iso, COOKIE_EXPIRY["en"])
    purpose = COOKIE_PURPOSE.get(iso, COOKIE_PURPOSE["en"])
    words = DECL_WORDS.get(iso, DECL_WORDS["en"])
    site = rng.choice(("shop", "news", "blog", "portal", "verein", "magazin")) + \
        "." + rng.choice(("de", "com", "org", "eu", "net"))
    inline = rng.random() < 0.3              # "Provider: Google Ireland ..." on one line
    toggles = rng.random() < 0.5
    accept = rng.random() < 0.5 and cons["button"]
    rows = []
    services = _pick(rng, SERVICES, rng.randint(3, 14))
    groups = _pick(rng, cons["catname"], rng.randint(1, 4)) if cons["catname"] else [None]
    for g, group in enumerate(groups):
        mine = services[g::len(groups)]
        if group:
            rows.append(group + (" (%d)" % len(mine) if rng.random() < 0.5 else ""))
            if cons["catdesc"] and rng.random() < 0.6:
                rows.append(rng.choice(cons["catdesc"]))
        if toggles:
            rows.append(words[1] if rng.random() < 0.7 else words[1] + " " + words[2])
        for name, company, hosts, cookies, kind in mine:
            company = company.replace("%SITE%", site)
            hosts = hosts.replace("%HOST%", rng.choice(("", "www.")) + site)
            why = words[3].format(name) if kind == "unlock" else rng.choice(purpose)
            names = ", ".join(c.replace("#", str(rng.randint(100000, 9999999)))
                              for c in cookies[:rng.randint(1, len(cookies))])
            cells = [(fields[0], name), (fields[1], company), (fields[2], why)]
            if rng.random() < 0.7:
                cells.append((fields[5], "https://%s/privacy" % hosts.split(",")[0].lstrip(".")))
            cells += [(fields[6] + rng.choice(("", "(s)")), hosts), (words[0], names),
                      (fields[3], rng.choice(expiry))]
            rows.append(name)
            for label, value in cells:
                if inline:
                    rows.append("%s: %s" % (label, value))
                else:
                    rows += [label, value]
            if accept and rng.random() < 0.8:
                rows.append(rng.choice(cons["button"]))
        if len(rows) > 200:
            break
    return rows[:200]


def _pick(rng, seq, k):
    seq = list(seq)
    return rng.sample(seq, min(k, len(seq)))


def words(text, iso):
    if iso in NO_SPACE_LANGS:
        return list(text)
    return text.split()


def truncate(text, iso, rng, lo, hi):
    """A headline-like prefix of text (lo..hi words, or characters for no-space scripts)."""
    if iso in NO_SPACE_LANGS:
        n = rng.randint(lo * 2, hi * 2)
        return text[:n].rstrip("，。、,. ")
    w = text.split()
    n = rng.randint(lo, hi)
    return " ".join(w[:n]).rstrip(",;:.")


def split_sentences(text, iso):
    parts = re.split(r"(?<=[.!?。！？])\s*", text) if iso not in NO_SPACE_LANGS else \
        re.split(r"(?<=[。！？])", text)
    return [p.strip() for p in parts if p.strip()]


class PageMaker:
    def __init__(self, iso, nav, consent, prose, consent_pool, docs=()):
        self.iso = iso
        self.docs = list(docs)    # [(title, [(kind, text)])] from manual pages
        self.nav = nav            # from sources.load_navigation()[iso]
        self.consent = consent    # from sources.load_consent()[iso]
        self.prose = prose        # [(kind, text)] from UDHR etc.
        self.consent_pool = consent_pool  # {iso: consent dict} for mixed-language consent
        self.slots = nav["slots"]
        # Sentences of this language's consent notices and category descriptions: a language
        # with descriptions but no notice of its own still gets consent blocks.  (Notices
        # recombined from these sentences were tried: real held-out pages 0.840 -> 0.837.)
        self.consent_sents = sorted({x for t in consent["notice"] + consent["catdesc"]
                                     for x in split_sentences(t, iso) if len(x) >= 12})

    # ------------------------------------------------------------------ helpers
    def slot(self, rng, *names):
        have = [self.slots[n] for n in names if n in self.slots]
        return rng.choice(have) if have else None

    def site_name(self, rng):
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        r = rng.random()
        if r < 0.4:
            return name + " " + rng.choice(SUFFIXES)
        if r < 0.7:
            return name + "." + rng.choice(["com", "net", "org", "info", self.iso])
        return name

    def date(self, rng):
        d, y = rng.randint(1, 28), rng.randint(2008, 2025)
        months = self.nav["months"]
        if months and rng.random() < 0.7:
            m = rng.choice(months)
            if self.iso in ("en",) and rng.random() < 0.5:
                return "%s %d, %d" % (m, d, y)
            if self.iso in ("zh", "ja"):
                return "%d年%d月%d日" % (y, rng.randint(1, 12), d)
            if self.iso in ("de", "da", "nb", "fi", "cs", "sk", "sl", "hr", "bs", "et"):
                return "%d. %s %d" % (d, m, y)
            return "%d %s %d" % (d, m, y)
        return rng.choice(["%02d.%02d.%d", "%d/%02d/%d"]) % (d, rng.randint(1, 12), y)

    def joined_or_lines(self, rng, items, p_join=0.45):
        items = [i for i in items if i]
        if not items:
            return []
        if len(items) > 1 and rng.random() < p_join:
            return [rng.choice(SEPARATORS).join(items)]
        return items

    def headline(self, rng, exclude=()):
        for _ in range(5):
            if self.docs and rng.random() < 0.5:
                blocks = rng.choice(self.docs)[1]
            else:
                blocks = self.prose
            text = rng.choice(blocks)[1]
            if text not in exclude and len(text) > 20:
                return truncate(text, self.iso, rng, 5, 12)
        return truncate(rng.choice([t for k, t in self.prose if k == "p"]), self.iso, rng, 5, 12)

    def other_sentence(self, rng, exclude=None):
        """A sentence-like headline taken from another document of the language (teasers and
        related-article titles on real pages are other articles' text)."""
        lo, hi = (8, 45) if self.iso in NO_SPACE_LANGS else (25, 120)
        for _ in range(8):
            if self.docs and rng.random() < 0.6:
                doc_title, blocks = rng.choice(self.docs)
                if doc_title == exclude:
                    continue
            else:
                blocks = self.prose
            kind, text = rng.choice(blocks)
            if kind == "h":
                if len(text) >= lo and rng.random() < 0.5:
                    return text
                continue
            sent = rng.choice(split_sentences(text, self.iso))
            if lo <= len(sent) <= hi:
                return sent.rstrip(".。") if rng.random() < 0.6 else sent
        return self.headline(rng)

    def phrase(self, rng, texts=None, lo=1, hi=3):
        """A short noun-phrase-like cut (1-3 words, no punctuation) of some document's text:
        the vocabulary of topic menus and of table cells alike, so that only the position of a
        short line tells which it is."""
        if not texts:
            if self.docs and rng.random() < 0.6:
                blocks = rng.choice(self.docs)[1]
            else:
                blocks = self.prose
            texts = [rng.choice(blocks)[1]]
        t = rng.choice(texts)
        if self.iso in NO_SPACE_LANGS:
            n = rng.randint(2, 6)
            i = rng.randint(0, max(0, len(t) - n))
            out = t[i:i + n]
        else:
            w = [x.strip(".,;:()«»\"'!?[]") for x in t.split()]
            w = [x for x in w if x]
            if not w:
                return None
            n = rng.randint(lo, hi)
            i = rng.randint(0, max(0, len(w) - n))
            out = " ".join(w[i:i + n])
        return out[:1].upper() + out[1:] if out else None

    def topic_menu(self, rng, k):
        """Site sections named after topics: short phrases from other documents."""
        return [p for p in (self.phrase(rng, None, 1, rng.choice((1, 2, 2, 3))) for _ in range(k)) if p]

    def fill(self, rng, text, site):
        """$1/$2 placeholders of chrome sentences -> a name, site, date or category."""
        def one(_):
            return rng.choice((self.person(rng), site, self.date(rng), "*",
                               self.slot(rng, *MENU_SLOTS) or site))
        return re.sub(r"\$\d", one, text).replace("%SITE%", site)

    def person(self, rng):
        return "%s %s" % (rng.choice(FIRST), rng.choice(LAST))

    def comment_count(self, rng):
        word = self.slot(rng, "comments", "reply")
        n = rng.choice((0, 1, 2, 3, 5, 8, 12, 24, 57, 130))
        if not word:
            return str(n)
        return rng.choice(("%d %s" % (n, word), "%s (%d)" % (word, n), "%s: %d" % (word, n)))

    def teasers(self, rng, site, exclude=None):
        """A "related / most read / more stories" block: a heading, then 2-6 items, each a
        sentence-like title, sometimes with a teaser sentence, date, author, comment count or
        read-more link."""
        rows = []
        heads = hw.RELATED.get(self.iso, []) + [self.slots[s] for s in
                                                ("recent_posts", "read_more", "archive", "posts")
                                                if s in self.slots]
        if heads and rng.random() < 0.7:
            rows.append(rng.choice(heads))
        more = self.slot(rng, "read_more")
        with_teaser = rng.random() < 0.4
        meta = rng.random()
        for _ in range(rng.randint(2, 6)):
            t = self.other_sentence(rng, exclude)
            if rng.random() < 0.15:
                t = "%s (%s)" % (t, self.date(rng)) if rng.random() < 0.5 else \
                    "%s %s" % (t, self.comment_count(rng))
            rows.append(t)
            if with_teaser and rng.random() < 0.8:
                teaser = self.other_sentence(rng, exclude)
                if rng.random() < 0.5:
                    teaser = truncate(teaser, self.iso, rng, 6, 14) + rng.choice(("…", " …", "...", " [...]"))
                if more and rng.random() < 0.3:
                    teaser += " " + more
                rows.append(teaser)
            if meta < 0.25:
                rows.append(self.date(rng))
            elif meta < 0.4:
                rows.append(rng.choice(("%s · %s" % (self.person(rng), self.date(rng)),
                                        self.person(rng))))
            elif meta < 0.5:
                rows.append(self.comment_count(rng))
            elif meta < 0.6 and more:
                rows.append(more + rng.choice(("", " »", " →", " ›")))
        return rows

    def chrome_sentences(self, rng, site, k):
        tips = self.nav.get("tips", [])
        return [self.fill(rng, t, site) for t in _pick(rng, tips, k)]

    def author_box(self, rng, site):
        wp = self.nav.get("wp", {})
        rows = [self.person(rng)]
        for msgid in ("View all posts filed under %s", "View all posts in %s", "Visit author homepage"):
            if msgid in wp and rng.random() < 0.5:
                rows.append(self.fill(rng, wp[msgid], site))
        if self.slot(rng, "author") and rng.random() < 0.4:
            rows[0] = "%s: %s" % (self.slot(rng, "author"), rows[0])
        return rows

    def comment_section(self, rng, site):
        wp = self.nav.get("wp", {})
        rows = [self.comment_count(rng)] if rng.random() < 0.6 else []
        for msgid in ("Leave a Reply", "Leave a comment", "Your email address will not be published.",
                      "Required fields are marked %s", "Log in to leave a Comment",
                      "You must be registered to comment", "Comments are closed.", "No comments yet.",
                      "Your comment is awaiting moderation.", "Log in to Reply"):
            if msgid in wp and rng.random() < 0.3:
                rows.append(self.fill(rng, wp[msgid], site))
        for s in ("leave_reply", "email_note", "post_comment"):
            if s in self.slots and rng.random() < 0.3:
                rows.append(self.slots[s])
        return rows

    # ------------------------------------------------------------------ short content
    def short_content(self, rng, window):
        """Short lines that belong to the article: a list, a table of specifications, a
        subheading, or dialogue / interview lines."""
        iso = self.iso
        texts = [t for k, t in window if k != "h"] or [t for _, t in self.prose]
        kind = rng.random()
        if kind < 0.3:                       # list items: a sentence cut at commas/semicolons
            src = rng.choice(texts)
            items = [x.strip(" .;。、") for x in re.split(r"[,;，；、]\s*", src) if x.strip(" .;。、")]
            if len(items) < 3:
                items = [truncate(self.other_sentence(rng), iso, rng, 2, 6) for _ in range(rng.randint(3, 6))]
            items = items[:rng.randint(3, 8)]
            mark = rng.choice(("", "", "• ", "- ", "* ", "· ", "%d. ", "%d) "))
            return [(mark % (i + 1) if "%d" in mark else mark) + x for i, x in enumerate(items)]
        if kind < 0.6:                       # table: label / value cells, one per line
            def value():
                return rng.choice(("%d" % rng.randint(1, 2000), "%d,%d" % (rng.randint(0, 99), rng.randint(0, 9)),
                                   "%d.%d" % (rng.randint(0, 99), rng.randint(0, 9)), "%d %%" % rng.randint(1, 99),
                                   "%d mm" % rng.randint(1, 900), "%d kg" % rng.randint(1, 90),
                                   "%d × %d" % (rng.randint(1, 50), rng.randint(1, 50)),
                                   "%d GB" % rng.choice((4, 8, 16, 64, 128)), "%d €" % rng.randint(5, 3000),
                                   "$%d" % rng.randint(5, 3000), "%d" % rng.randint(1950, 2025),
                                   "~%.1fM" % (rng.randint(1, 99) / 10), "%d–%d" % (rng.randint(1, 9), rng.randint(10, 99))))
            rows = []
            cols = rng.randint(1, 4)
            if rng.random() < 0.5:          # header row of phrases
                rows += [self.phrase(rng, texts, 1, 2) for _ in range(cols + 1)]
            style = rng.random()
            for _ in range(rng.randint(2, 8)):
                key = self.phrase(rng, texts, 1, 3)
                if style < 0.3:
                    rows.append("%s: %s" % (key, value()))
                elif style < 0.45:
                    rows.append("%s %s" % (key, value()))
                else:
                    rows.append(key)
                    for _ in range(cols):
                        rows.append(value() if rng.random() < 0.6 else self.phrase(rng, texts, 1, 3))
            return [r for r in rows if r]
        if kind < 0.75:                      # subheading (2-6 words) inside the article
            return [truncate(rng.choice(texts), iso, rng, 2, 6)]
        lines = []                           # dialogue / interview / Q&A lines
        sents = [x for t in texts for x in split_sentences(t, iso) if len(x) < 90] or \
            [truncate(t, iso, rng, 3, 9) for t in texts]
        speakers = [rng.choice(FIRST) for _ in range(2)]
        style = rng.random()
        for i, x in enumerate(_pick(rng, sents, rng.randint(2, 6))):
            if style < 0.4:
                lines.append(rng.choice(("– ", "— ", "- ")) + x)
            elif style < 0.7:
                lines.append("%s: %s" % (speakers[i % 2], x))
            else:
                lines.append(x)
        return lines

    # ------------------------------------------------------------------ blocks
    def article(self, rng, short=False):
        """(title, [(label, text)]) content rows from a contiguous window of prose."""
        if self.docs and rng.random() < 0.55:
            doc_title, blocks = rng.choice(self.docs)
        else:
            doc_title, blocks = None, self.prose
        self.doc_title = doc_title
        n = len(blocks)
        if short:
            length = rng.randint(1, min(5, n))
        else:
            length = rng.randint(min(5, n), min(28, n))
        start = rng.randint(0, n - length)
        window = list(blocks[start:start + length])
        while window and window[-1][0] == "h":
            window.pop()
        heads = [t for k, t in window if k == "h"]
        if doc_title and rng.random() < 0.7:
            title = doc_title[0].upper() + doc_title[1:]
        else:
            title = heads[0] if heads and rng.random() < 0.6 else self.headline(rng)
        rows = []
        for kind, text in window:
            if kind == "p" and len(text) > 400 and rng.random() < 0.5:
                sents = split_sentences(text, self.iso)
                cut = max(1, len(sents) // 2)
                for part in (" ".join(sents[:cut]), " ".join(sents[cut:])):
                    if part:
                        rows.append(("content", part))
            else:
                rows.append(("content", text))
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            pos = rng.randint(min(1, len(rows)), len(rows))
            rows[pos:pos] = [("content", t) for t in self.short_content(rng, window)]
        hard = hw.HARD_CONTENT.get(self.iso)
        if hard and rng.random() < 0.3:
            pos = rng.randint(0, len(rows))
            extra = _pick(rng, hard, rng.randint(1, 3))
            rows[pos:pos] = [("content", t) for t in extra]
        return title, rows

    def top_chrome(self, rng, site, title):
        rows = []
        if rng.random() < 0.3:
            s = self.slot(rng, "skip_main", "skip_nav", "skip_search")
            if s:
                rows.append(s)
        if rng.random() < 0.75:
            rows.append(site)
        menu = [self.slots[s] for s in _pick(rng, [s for s in MENU_SLOTS if s in self.slots],
                                              rng.randint(3, 9))]
        menu = [m.replace("%SITE%", site) for m in menu]
        if rng.random() < 0.5:
            topics = self.topic_menu(rng, rng.randint(3, 10))
            menu = topics if rng.random() < 0.5 else menu + topics
        rows += self.joined_or_lines(rng, menu)
        if rng.random() < 0.5:
            acc = [self.slots[s] for s in _pick(rng, [s for s in ACCOUNT_SLOTS if s in self.slots],
                                                 rng.randint(1, 3))]
            rows += self.joined_or_lines(rng, acc, 0.3)
        if rng.random() < 0.15:
            rows += self.chrome_sentences(rng, site, rng.randint(1, 2))
        if rng.random() < 0.12:
            rows += [self.other_sentence(rng, getattr(self, "doc_title", None))
                     for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.15:
            langs = _pick(rng, sorted(AUTONYMS.values()), rng.randint(3, 8))
            lab = self.slot(rng, "languages", "languages2")
            if lab:
                rows.append(lab)
            rows += self.joined_or_lines(rng, langs, 0.4)
        if rng.random() < 0.4:
            home = self.slot(rng, "crumb_home", "home", "wp_home", "mainpage")
            cat = self.slot(rng, *MENU_SLOTS)
            if home and cat:
                sep = rng.choice(CRUMB_SEPARATORS)
                crumb = [home, cat.replace("%SITE%", site)]
                if rng.random() < 0.5:
                    crumb.append(truncate(title, self.iso, rng, 3, 8))
                rows.append(sep.join(crumb))
        return [("navigation", r) for r in rows if r]

    def byline(self, rng):
        author = "%s %s" % (rng.choice(FIRST), rng.choice(LAST))
        date = self.date(rng)
        r = rng.random()
        if r < 0.4:
            return [author, date]
        if r < 0.7:
            return ["%s · %s" % (author, date)]
        return [date]

    def bottom_chrome(self, rng, site, article_texts):
        rows = []
        iso = self.iso
        if rng.random() < 0.4:
            share = _pick(rng, SOCIAL, rng.randint(2, 5))
            for s in ("email", "wp_print"):
                if s in self.slots and rng.random() < 0.4:
                    share.append(self.slots[s])
            rows += self.joined_or_lines(rng, share, 0.4)
        if rng.random() < 0.35:
            vocab = sorted({w.strip(".,;:()«»\"") for t in article_texts for w in words(t, iso)
                            if len(w) >= 5}) if iso not in NO_SPACE_LANGS else []
            if iso in NO_SPACE_LANGS:
                t = "".join(article_texts)
                vocab = sorted({t[i:i + rng.randint(2, 4)] for i in range(0, max(1, len(t) - 4), 7)})
            tags = _pick(rng, vocab, rng.randint(2, 5))
            lab = self.slot(rng, "tags_label", "tags")
            if tags:
                if lab and rng.random() < 0.5:
                    rows.append(lab)
                    rows += self.joined_or_lines(rng, tags, 0.3)
                else:
                    rows.append((lab + " " if lab else "") + ", ".join(tags))
        if rng.random() < 0.3:
            prev, nxt = self.slot(rng, "prev_post", "older_post", "doc_prev", "previous"), \
                self.slot(rng, "next_post", "newer_post", "doc_next")
            for lab, arrow in ((prev, "« "), (nxt, "")):
                if lab:
                    rows.append(arrow + lab if rng.random() < 0.5 else lab)
                    if rng.random() < 0.6:
                        rows.append(self.headline(rng, article_texts))
        if rng.random() < 0.2:
            rows += self.author_box(rng, site)
        if rng.random() < 0.6:
            rows += self.teasers(rng, site, getattr(self, "doc_title", None))
        if rng.random() < 0.3:
            rows += self.comment_section(rng, site)
        if rng.random() < 0.25:
            rows += self.chrome_sentences(rng, site, rng.randint(1, 3))
        if rng.random() < 0.2:
            prev, nxt = self.slot(rng, "previous", "doc_prev", "newer_entries"), \
                self.slot(rng, "next_page", "next_page2", "doc_next", "older_entries")
            last = rng.randint(4, 60)
            nums = ["1", "2", "3", "…", str(last)]
            items = (["« " + prev] if prev else []) + nums + ([nxt.replace("($1)", "").strip() + " ›"] if nxt else [])
            rows += self.joined_or_lines(rng, items, 0.5) if rng.random() < 0.5 else [" ".join(items)]
        if rng.random() < 0.2 and iso in hw.NEWSLETTER:
            rows.append(rng.choice(hw.NEWSLETTER[iso]))
        if rng.random() < 0.25 and self.nav["sentences"]:
            s = rng.choice(self.nav["sentences"])
            s = s.replace("$1", rng.choice([self.date(rng), rng.choice(LICENCES),
                                             "https://%s/wiki/%d" % (site.lower().replace(" ", ""),
                                                                    rng.randint(1, 9999))]))
            s = s.replace("$2", "%02d:%02d" % (rng.randint(0, 23), rng.randint(0, 59)))
            rows.append(re.sub(r"\$\d", "", s).replace("%SITE%", site))
        if rng.random() < 0.7:
            foot = [self.slots[s] for s in _pick(rng, [s for s in FOOTER_SLOTS if s in self.slots],
                                                  rng.randint(2, 6))]
            legal = [t for t in self.consent_pool.get("__legal__", {}).get(iso, [])]
            if legal and rng.random() < 0.5:
                foot += _pick(rng, legal, rng.randint(1, 3))
            rows += self.joined_or_lines(rng, [f.replace("%SITE%", site) for f in foot])
        if rng.random() < 0.6:
            year = rng.randint(2005, 2025)
            rights = hw.ALL_RIGHTS.get(iso, hw.ALL_RIGHTS["en"])
            rows.append(rng.choice(["© %d %s. %s" % (year, site, rights), "© %s %d" % (site, year),
                                    "Copyright © %d-%d %s" % (year - 5, year, site),
                                    "© %d %s" % (year, site)]))
        out = [("navigation", r) for r in rows if r]
        # A consent manager's link standing alone among the footer lines ("Cookie settings",
        # "Datenschutz-Einstellungen"): consent by the labelling rules, wherever it stands;
        # real pages show it more often than a banner (../shared/train/README.md).
        links = [t for t in self.consent.get("title", [])
                 if len(t) <= 40] if self.consent else []
        links += hw.CONSENT_LINKS.get(self.iso, [])
        if links and out and rng.random() < 0.3:
            out.insert(rng.randint(max(0, len(out) - 4), len(out)), ("consent", rng.choice(links)))
        return out

    def sidebar(self, rng, site):
        """Sidebar / footer link columns: a heading then one link per line, 1-3 groups."""
        rows = []
        groups = ["navigation", "tools", "recent_posts", "archives", "wp_categories", "meta",
                  "categories", "pages", "help", "languages"]
        items = [s for s in MENU_SLOTS + FOOTER_SLOTS + ACCOUNT_SLOTS if s in self.slots]
        for head in _pick(rng, [g for g in groups if g in self.slots], rng.randint(1, 3)):
            rows.append(self.slots[head])
            for s in _pick(rng, items, rng.randint(3, 8)):
                rows.append(self.slots[s].replace("%SITE%", site))
            if rng.random() < 0.4:
                rows += self.topic_menu(rng, rng.randint(3, 8))
            if head in ("recent_posts", "archives") and rng.random() < 0.6:
                rows += [self.headline(rng) for _ in range(rng.randint(2, 4))]
        return [("navigation", r) for r in rows if r]

    def vary_numbers(self, rng, text):
        """Partner and day counts as sites show them ("we and our 142 partners" -> any N)."""
        return re.sub(r"\b(142|390)\b", lambda m: str(rng.choice((rng.randint(2, 30),
                                                                   rng.randint(31, 999)))), text)

    def button_row(self, rng, buttons):
        """Buttons as extracted text often shows them: several on one line."""
        row = _pick(rng, buttons, rng.randint(2, 4))
        return rng.choice(("  ", " ", " | ", " · ", " / ")).join(row) if len(row) > 1 else row[0]

    def consent_block(self, rng, cons):
        title, notice, button = cons["title"], cons["notice"], cons["button"]
        rows = []

        def a_notice():
            return rng.choice(notice) if notice else None

        def buttons(lo, hi):
            if button and rng.random() < 0.35:
                return [self.button_row(rng, button)]
            return _pick(rng, button, rng.randint(lo, hi))

        style = rng.random()
        if style < 0.45:                     # banner
            if title and rng.random() < 0.6:
                rows.append(rng.choice(title))
            rows += [a_notice() for _ in range(rng.randint(1, 2))]
            if cons["link"] and rng.random() < 0.4:
                rows.append(rng.choice(cons["link"]))
            rows += buttons(1, 3)
        elif style < 0.72:                   # preference centre
            if title and rng.random() < 0.8:
                rows.append(rng.choice(title))
            if rng.random() < 0.8:
                rows.append(a_notice())
            names, descs = cons["catname"], cons["catdesc"]
            joined = rng.random() < 0.3
            for i in _pick(rng, range(max(len(names), 1)), rng.randint(1, 5)):
                name = names[i] if i < len(names) else None
                desc = (descs[i] if i < len(descs) else rng.choice(descs)) \
                    if descs and rng.random() < 0.8 else None
                if joined and name and desc:
                    rows.append(name + rng.choice((": ", " – ", " ", "\u00a0")) + desc)
                else:
                    rows += [name, desc]
            if rng.random() < 0.3:
                rows += cookie_table(rng, self.iso)
            rows += _pick(rng, cons["other"], rng.randint(0, 2))
            rows += buttons(1, 3)
        elif style < 0.77:                   # cookie declaration of a consent dialog
            if title:
                rows.append(rng.choice(title))
            rows += cookie_table(rng, self.iso)
            rows += _pick(rng, button, rng.randint(1, 2))
        else:                                # minimal: a notice, a link or buttons alone
            r = rng.random()
            if r < 0.5:
                rows.append(a_notice())
                if rng.random() < 0.6:
                    rows += buttons(1, 2)
            elif r < 0.8 or not cons["link"]:
                rows += buttons(1, 3)
            else:
                rows += [rng.choice(cons["link"])] + buttons(1, 2)
        rows = [self.vary_numbers(rng, r) for r in rows if r][:12]
        # A full cookie declaration after the dialog's first lines, in some blocks: real
        # dialogs list every service, one field per line, over a hundred lines and more.
        # Its randomness comes from a generator seeded by the page's, so every other row of
        # the corpus stays as it was.
        sub = random.Random(repr(rng.getstate()[1][:8]))
        if sub.random() < 0.03:
            rows += [r for r in declaration(sub, self.iso, cons) if r]
        return [("consent", r) for r in rows]

    # ------------------------------------------------------------------ page
    def page_consent(self, rng):
        """The consent dict a page shows, or None."""
        cons = self.consent
        usable = (cons["notice"] or self.consent_sents) and (cons["button"] or cons["catname"])
        if self.iso == "en" and rng.random() < 0.25 or not usable:
            others = [i for i in sorted(self.consent_pool) if not i.startswith("__")
                      and self.consent_pool[i]["notice"] and self.consent_pool[i]["button"]]
            other = "tr" if rng.random() < 0.3 else rng.choice(others)
            cons = self.consent_pool[other] if (self.iso == "en" or rng.random() < 0.3) else None
        return cons

    def page(self, rng):
        site = self.site_name(rng)
        short = rng.random() < 0.2
        title, article = self.article(rng, short)
        article_texts = [t for _, t in article]
        if len(article) > 3 and rng.random() < 0.3:
            # chrome interleaved with the article: read-also links, teasers, prompts
            inline = []
            r = rng.random()
            heads = hw.RELATED.get(self.iso, []) + [self.slots[s] for s in ("read_more",)
                                                    if s in self.slots]
            if r < 0.35 and heads:
                inline.append(rng.choice(heads) + rng.choice((": ", " – ", " ")) +
                              self.other_sentence(rng, self.doc_title))
            elif r < 0.6:
                inline += self.teasers(rng, site, self.doc_title)[:rng.randint(1, 3)]
            elif r < 0.75 and self.iso in hw.NEWSLETTER:
                inline.append(rng.choice(hw.NEWSLETTER[self.iso]))
            elif r < 0.9:
                inline += self.joined_or_lines(rng, _pick(rng, SOCIAL, rng.randint(2, 4)), 0.5)
            else:
                inline += self.chrome_sentences(rng, site, 1)
            pos = rng.randint(1, len(article) - 1)
            article[pos:pos] = [("navigation", t) for t in inline]
        page_title = title if rng.random() < 0.5 else rng.choice(
            ["%s | %s", "%s - %s", "%s – %s", "%s :: %s"]) % (title, site)
        head = [("content", page_title)]
        top = self.top_chrome(rng, site, title)
        if short and rng.random() < 0.5:
            top = top[:rng.randint(0, 3)]
        lead = []
        if rng.random() < 0.6:
            lead.append(("content", title))
        if rng.random() < 0.5:
            lead += [("navigation", b) for b in self.byline(rng)]
        side = self.sidebar(rng, site) if rng.random() < (0.2 if short else 0.5) else []
        bottom = self.bottom_chrome(rng, site, article_texts)
        if short and rng.random() < 0.5:
            bottom = bottom[-rng.randint(0, 4):] if rng.random() < 0.7 else []
        parts = [head, top, lead, article, side, bottom]
        # Consent blocks sit wherever the banner's markup happened to be in the extracted text:
        # page start, between or inside the chrome blocks, at the end.
        cons = self.page_consent(rng) if rng.random() < 0.55 else None
        if cons:
            blocks = [self.consent_block(rng, cons)]
            if rng.random() < 0.15:
                blocks.append(self.consent_block(rng, cons))
            for block in blocks:
                where = rng.choices(("start", "after_title", "in_top", "before_article",
                                     "after_article", "in_bottom", "end"),
                                    (10, 8, 5, 4, 10, 18, 45))[0]
                if where == "start":
                    head[0:0] = block
                elif where == "after_title":
                    head += block
                elif where == "in_top":
                    k = rng.randint(0, len(top))
                    top[k:k] = block
                elif where == "before_article":
                    lead += block
                elif where == "after_article":
                    article += block
                elif where == "in_bottom":
                    k = rng.randint(0, len(bottom))
                    bottom[k:k] = block
                else:
                    bottom += block
        rows = [r for part in parts for r in part]
        return [(label, t.strip()) for label, t in rows if t and t.strip()]
