"""Compose synthetic pages that look like the extracted text of real web pages.

A page is a list of (label, text) rows in reading order: title, optional consent block, top
chrome, article, bottom chrome, optional consent block.  All randomness comes from the
random.Random passed in, so the same seed gives the same pages.
"""

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
            rows.append("%s: %s" % (fields[k], values[k]) if labelled else values[k])
    return rows


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

    # ------------------------------------------------------------------ blocks
    def article(self, rng):
        """(title, [(label, text)]) content rows from a contiguous window of prose."""
        if self.docs and rng.random() < 0.55:
            doc_title, blocks = rng.choice(self.docs)
        else:
            doc_title, blocks = None, self.prose
        n = len(blocks)
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
        hard = hw.HARD_CONTENT.get(self.iso)
        if hard and rng.random() < 0.25:
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
        rows += self.joined_or_lines(rng, menu)
        if rng.random() < 0.5:
            acc = [self.slots[s] for s in _pick(rng, [s for s in ACCOUNT_SLOTS if s in self.slots],
                                                 rng.randint(1, 3))]
            rows += self.joined_or_lines(rng, acc, 0.3)
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
        if rng.random() < 0.5:
            heads = hw.RELATED.get(iso, []) + [self.slots[s] for s in
                                               ("recent_posts", "read_more", "whatlinks") if s in self.slots]
            if heads:
                rows.append(rng.choice(heads))
            for _ in range(rng.randint(2, 4)):
                rows.append(self.headline(rng, article_texts))
                if rng.random() < 0.3:
                    rows += self.byline(rng)
        if rng.random() < 0.15:
            for s in ("leave_reply", "email_note", "post_comment"):
                if s in self.slots:
                    rows.append(self.slots[s])
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
        return [("navigation", r) for r in rows if r]

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
            if head in ("recent_posts", "archives") and rng.random() < 0.6:
                rows += [self.headline(rng) for _ in range(rng.randint(2, 4))]
        return [("navigation", r) for r in rows if r]

    def consent_block(self, rng, cons):
        title, notice, button = cons["title"], cons["notice"], cons["button"]
        rows = []
        style = rng.random()
        if style < 0.55:                     # banner
            if title and rng.random() < 0.7:
                rows.append(rng.choice(title))
            rows += _pick(rng, notice, rng.randint(1, 2))
            if cons["link"] and rng.random() < 0.4:
                rows.append(rng.choice(cons["link"]))
            rows += _pick(rng, button, rng.randint(1, 3))
        elif style < 0.85:                   # preference centre
            if title:
                rows.append(rng.choice(title))
            rows += _pick(rng, notice, 1)
            names, descs = cons["catname"], cons["catdesc"]
            for i in _pick(rng, range(max(len(names), 1)), rng.randint(2, 5)):
                if i < len(names):
                    rows.append(names[i])
                if descs and rng.random() < 0.8:
                    rows.append(descs[i] if i < len(descs) else rng.choice(descs))
            if rng.random() < 0.35:
                rows += cookie_table(rng, self.iso)
            rows += _pick(rng, cons["other"], rng.randint(0, 2))
            rows += _pick(rng, button, rng.randint(2, 3))
        elif style < 0.9:                    # cookie declaration of a consent dialog
            if title:
                rows.append(rng.choice(title))
            rows += cookie_table(rng, self.iso)
            rows += _pick(rng, button, rng.randint(1, 2))
        else:                                # minimal
            rows += _pick(rng, notice, 1)
            if rng.random() < 0.7:
                rows += _pick(rng, button, 1)
        return [("consent", r) for r in rows if r]

    # ------------------------------------------------------------------ page
    def page(self, rng):
        site = self.site_name(rng)
        title, article = self.article(rng)
        article_texts = [t for _, t in article]
        rows = []
        page_title = title if rng.random() < 0.5 else rng.choice(
            ["%s | %s", "%s - %s", "%s – %s", "%s :: %s"]) % (title, site)
        rows.append(("content", page_title))
        cons = None
        if rng.random() < 0.5:
            cons = self.consent
            if self.iso == "en" and rng.random() < 0.25 or not cons["notice"] or not cons["button"]:
                others = [i for i in sorted(self.consent_pool) if not i.startswith("__")
                          and self.consent_pool[i]["notice"] and self.consent_pool[i]["button"]]
                other = "tr" if rng.random() < 0.3 else rng.choice(others)
                cons = self.consent_pool[other] if (self.iso == "en" or rng.random() < 0.3) else None
        consent_rows = self.consent_block(rng, cons) if cons else []
        top = rng.random() < 0.4
        if top:
            rows += consent_rows
        rows += self.top_chrome(rng, site, title)
        if rng.random() < 0.6:
            rows.append(("content", title))
        if rng.random() < 0.5:
            rows += [("navigation", b) for b in self.byline(rng)]
        rows += article
        if rng.random() < 0.5:
            rows += self.sidebar(rng, site)
        rows += self.bottom_chrome(rng, site, article_texts)
        if not top:
            rows += consent_rows
        return [(label, t.strip()) for label, t in rows if t and t.strip()]
