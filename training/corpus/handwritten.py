"""A few hand-written phrases the registry packages do not carry.

Kept deliberately small: page chrome idioms (copyright, newsletter prompts, related-articles
headings) and hard content cases (articles ABOUT cookies, privacy law and menus), written for
this project.  Languages missing here simply get none of these lines.
"""

ALL_RIGHTS = {
    "en": "All rights reserved.", "de": "Alle Rechte vorbehalten.", "fr": "Tous droits réservés.",
    "es": "Todos los derechos reservados.", "it": "Tutti i diritti riservati.",
    "pt": "Todos os direitos reservados.", "nl": "Alle rechten voorbehouden.",
    "pl": "Wszelkie prawa zastrzeżone.", "cs": "Všechna práva vyhrazena.",
    "sk": "Všetky práva vyhradené.", "ru": "Все права защищены.", "uk": "Усі права захищені.",
    "tr": "Tüm hakları saklıdır.", "sv": "Alla rättigheter förbehållna.",
    "da": "Alle rettigheder forbeholdes.", "nb": "Alle rettigheter reservert.",
    "fi": "Kaikki oikeudet pidätetään.", "hu": "Minden jog fenntartva.",
    "ro": "Toate drepturile rezervate.", "zh": "版权所有。", "ja": "無断転載を禁じます。",
    "ko": "모든 권리 보유.", "ar": "جميع الحقوق محفوظة.", "he": "כל הזכויות שמורות.",
    "el": "Με επιφύλαξη παντός δικαιώματος.", "bg": "Всички права запазени.",
    "hr": "Sva prava pridržana.", "ca": "Tots els drets reservats.", "id": "Hak cipta dilindungi.",
    "vi": "Bảo lưu mọi quyền.",
}

NEWSLETTER = {
    "en": ["Subscribe to our newsletter for the latest news", "Sign up for our weekly newsletter",
           "Get the best stories delivered to your inbox every morning.",
           "Never miss a story: join 50,000 readers who get our daily briefing.",
           "Enter your email address to receive updates", "Follow us on social media"],
    "de": ["Abonnieren Sie unseren Newsletter", "Melden Sie sich für unseren Newsletter an und verpassen Sie keine Nachricht mehr.",
           "Jetzt kostenlos registrieren und weiterlesen", "Folgen Sie uns auf Facebook und Instagram"],
    "fr": ["Abonnez-vous à notre newsletter", "Recevez chaque matin l'essentiel de l'actualité dans votre boîte mail.",
           "Inscrivez-vous gratuitement pour lire la suite", "Suivez-nous sur les réseaux sociaux"],
    "es": ["Suscríbete a nuestro boletín", "Recibe cada mañana las noticias más importantes en tu correo.",
           "Regístrate gratis para seguir leyendo", "Síguenos en redes sociales"],
    "it": ["Iscriviti alla nostra newsletter", "Ricevi ogni mattina le notizie più importanti nella tua casella di posta.",
           "Seguici sui social network"],
    "pt": ["Assine a nossa newsletter", "Receba as principais notícias no seu e-mail todas as manhãs.",
           "Siga-nos nas redes sociais"],
    "nl": ["Schrijf je in voor onze nieuwsbrief", "Ontvang elke ochtend het belangrijkste nieuws in je mailbox.",
           "Volg ons op sociale media"],
    "pl": ["Zapisz się do naszego newslettera", "Otrzymuj najważniejsze wiadomości każdego ranka na swoją skrzynkę.",
           "Obserwuj nas w mediach społecznościowych"],
    "tr": ["Bültenimize abone olun", "En son haberler her sabah e-posta kutunuzda.",
           "Bizi sosyal medyada takip edin"],
    "ru": ["Подпишитесь на нашу рассылку", "Получайте главные новости каждое утро на свою почту.",
           "Подписывайтесь на нас в социальных сетях"],
    "sv": ["Prenumerera på vårt nyhetsbrev", "Följ oss i sociala medier"],
    "da": ["Tilmeld dig vores nyhedsbrev", "Følg os på sociale medier"],
    "fi": ["Tilaa uutiskirjeemme", "Seuraa meitä sosiaalisessa mediassa"],
    "cs": ["Přihlaste se k odběru našeho newsletteru", "Sledujte nás na sociálních sítích"],
    "zh": ["订阅我们的新闻通讯", "关注我们的微信公众号，获取最新资讯"],
    "ja": ["ニュースレターを購読する", "最新情報をメールでお届けします"],
    "ko": ["뉴스레터를 구독하세요", "최신 소식을 이메일로 받아보세요"],
}

RELATED = {
    "en": ["Related articles", "You may also like", "More from this section", "Most read", "Read next"],
    "de": ["Das könnte Sie auch interessieren", "Mehr zum Thema", "Meistgelesen"],
    "fr": ["À lire aussi", "Sur le même sujet", "Les plus lus"],
    "es": ["Te puede interesar", "Más noticias", "Lo más leído"],
    "it": ["Potrebbe interessarti anche", "Articoli correlati", "I più letti"],
    "pt": ["Leia também", "Mais lidas"],
    "nl": ["Lees ook", "Meest gelezen"],
    "pl": ["Zobacz także", "Najczęściej czytane"],
    "tr": ["İlginizi çekebilir", "En çok okunanlar"],
    "ru": ["Читайте также", "Самое популярное"],
    "zh": ["相关文章", "热门文章"],
    "ja": ["関連記事", "よく読まれている記事"],
    "ko": ["관련 기사", "많이 본 뉴스"],
}

# Content that talks about cookies, privacy or menus but is article text, not page chrome.
HARD_CONTENT = {
    "en": [
        "Cream the butter and sugar until pale, then beat in the egg and vanilla before folding in the chocolate chips.",
        "These chewy oatmeal cookies keep for a week in an airtight tin, and the dough freezes well for up to three months.",
        "Ingredients",
        "Bake the cookies for 10 to 12 minutes, until the edges are golden but the centres are still soft.",
        "The regulation requires websites to obtain consent before storing non-essential cookies on a visitor's device, the court ruled on Tuesday.",
        "Privacy advocates argue that cookie banners have trained users to click \"accept\" without reading what they agree to.",
        "Under the new privacy law, companies must let consumers opt out of the sale of their personal information.",
        "The restaurant's tasting menu changes every season and features vegetables from its own garden.",
        "In the navigation menu of the new firmware, the settings are finally grouped in a logical way.",
        "Browser makers have announced that third-party cookies will be phased out, a change that will reshape online advertising.",
    ],
    "de": [
        "Butter und Zucker schaumig rühren, dann das Ei unterrühren und die Schokoladenstückchen unterheben.",
        "Die Plätzchen bei 180 Grad etwa zwölf Minuten backen, bis die Ränder goldbraun sind.",
        "Zutaten",
        "Das Gericht entschied, dass Website-Betreiber vor dem Setzen von Tracking-Cookies eine aktive Einwilligung einholen müssen.",
        "Datenschützer kritisieren, dass viele Cookie-Banner Nutzer zur Zustimmung drängen.",
        "Die Speisekarte des Restaurants wechselt mit den Jahreszeiten.",
    ],
    "fr": [
        "Mélangez le beurre mou et le sucre, puis ajoutez l'œuf et les pépites de chocolat.",
        "Faites cuire les cookies 10 minutes à 180 °C : ils doivent rester moelleux au centre.",
        "Ingrédients",
        "La CNIL a sanctionné plusieurs sites qui déposaient des cookies publicitaires sans le consentement des internautes.",
        "Le menu du restaurant change chaque semaine selon les produits du marché.",
    ],
    "es": [
        "Bate la mantequilla con el azúcar hasta obtener una crema y añade el huevo y las pepitas de chocolate.",
        "Hornea las galletas durante 12 minutos a 180 grados.",
        "Ingredientes",
        "La nueva ley de protección de datos obliga a las webs a pedir el consentimiento antes de instalar cookies de seguimiento.",
        "El menú del día incluye primer plato, segundo plato y postre por doce euros.",
    ],
    "it": [
        "Lavorate il burro con lo zucchero, poi unite l'uovo e le gocce di cioccolato.",
        "Ingredienti",
        "Il Garante della privacy ha chiarito che lo scorrimento della pagina non vale come consenso ai cookie.",
    ],
    "pt": [
        "Misture a manteiga com o açúcar e junte o ovo e as pepitas de chocolate.",
        "Ingredientes",
        "A autoridade de proteção de dados multou o site por instalar cookies sem consentimento dos utilizadores.",
    ],
    "nl": [
        "Klop de boter met de suiker romig en voeg het ei en de chocoladestukjes toe.",
        "Ingrediënten",
        "De toezichthouder oordeelde dat websites pas toestemming mogen vragen voor tracking cookies als weigeren even makkelijk is.",
    ],
    "pl": [
        "Utrzyj masło z cukrem, dodaj jajko i kawałki czekolady.",
        "Składniki",
        "Urząd ochrony danych osobowych nałożył karę za instalowanie plików cookie bez zgody użytkowników.",
    ],
    "tr": [
        "Tereyağı ve şekeri krema kıvamına gelene kadar çırpın, ardından yumurtayı ve çikolata parçalarını ekleyin.",
        "Malzemeler",
        "Kişisel Verileri Koruma Kurumu, çerezler için açık rıza alınması gerektiğini açıkladı.",
    ],
}
