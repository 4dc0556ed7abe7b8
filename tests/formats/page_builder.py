"""Saved web pages for the web page converter's tests, built like the real ones.

The sample library's four articles (../shared/seeds/) were scraped with their menus left in:
"Skip to main content", "Gifts from The Morning Star", share counts, "Similar stories",
cookie settings and copyright lines around the article. The pages here wrap an article in the
same kinds of boilerplate, in the markup such sites use (a news site, a blog on a site
builder, an organisation's report page), and say which phrases are article and which are
boilerplate, so a test can check that every one of the first and none of the second survives.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WebPage:
    """A saved page's HTML, the phrases of its article and those of its boilerplate."""

    html: str
    article: tuple[str, ...]
    boilerplate: tuple[str, ...]
    #: What describe() should find in its metadata.
    title: str = ""
    authors: tuple[str, ...] = ()
    site: str = ""
    date: str = ""
    url: str = ""
    language: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def encoded(self, encoding: str = "utf-8") -> bytes:
        return self.html.encode(encoding)


# -- the news site ------------------------------------------------------------------------

NEWS_TITLE = "China’s socialism succeeds where Eastern European failed"
NEWS_URL = "https://morningstaronline.example/article/chinas-socialism-succeeds"

_NEWS_ARTICLE = """
<article class="article">
  <header class="article-header">
    <h1 class="article-title">China’s socialism succeeds where Eastern European failed</h1>
    <p class="standfirst">PAWEL WARGAN juxtaposes the thriving industrial centre Jiayuguan in
      China with the prevailing images of decaying East European great industrial cities</p>
    <div class="byline">by <a href="/author/pawel-wargan" rel="author">Pawel Wargan</a>
      <time datetime="2025-07-15T09:00:00+01:00">15 July 2025</time></div>
  </header>
  <figure><img src="jiayuguan.jpg" alt="Jiayuguan railway station">
    <figcaption>Jiayuguan railway station featuring a taxi stand, 2017</figcaption></figure>
  <div class="article-body">
    <p>THOSE of us who were born on the ruins of the socialist Eastern Bloc know how
      purpose-built, industrial <em>monotowns</em> are meant to look.</p>
    <p>Rusting steel mills, cracked and potholed roads, weathered sheets of corrugated metal
      strewn about. Thick smog and poisoned soil. Drunks passed out on the train platform.
      Emaciated stray dogs. A lone child skipping down the muddy path of a panel-block
      neighbourhood silenced by demographic blight.</p>
    <p>In their commodified form, packaged for mass consumption in computer games and
      television shows, these images of post-socialist decay serve a purpose. They beat
      down the idea that socialism can produce <strong>anything but misery</strong>.</p>
    <h2>A city built around a steel plant</h2>
    <p>How might these cities look today had the process of socialist construction continued
      uninterrupted? I found one possible answer in Jiayuguan, a remote desert city in
      China’s Gansu Province built from the ground up around a steel plant.</p>
    <blockquote><p>The plant was the city, and the city was the plant: everything else
      grew around the furnaces.</p></blockquote>
    <p>The city today offers its residents three things the monotowns of the east lost:</p>
    <ul>
      <li>good housing within walking distance of the works,</li>
      <li>green parks planted on reclaimed desert,</li>
      <li>public services that did not close with the factories.</li>
    </ul>
    <h3>The numbers</h3>
    <table>
      <tr><th>Year</th><th>Steel output</th></tr>
      <tr><td>1958</td><td>first furnace lit</td></tr>
      <tr><td>2024</td><td>ten million tonnes</td></tr>
    </table>
    <p>Each aspired to be a model city, a template for the dignified life that communism
      envisioned for all working people. Each had green parks, good housing, abundant
      public services and wide roads whose grandeur recalled the genteel boulevards of
      Haussmannian Paris.</p>
    <ol>
      <li>Nowa Huta, built around the Vladimir Lenin Steelworks;</li>
      <li>Magnitogorsk, built around its Iron and Steel Works.</li>
    </ol>
    <p>But capitalist restoration shattered their ambitions. Vibrant industrial cities saw
      their mills and factories chopped and diced and sold off at bargain prices, while
      Jiayuguan kept its furnaces burning and its people at work.</p>
  </div>
</article>
"""

_NEWS_BOILERPLATE_BEFORE = """
<a class="skip-link" href="#main-content">Skip to main content</a>
<div class="promo-bar"><a href="/shop">Gifts from The Morning Star</a></div>
<div id="cookie-banner" class="cookie-consent" role="dialog">
  <p>We use cookies to improve your experience on our website.</p>
  <button>Accept all cookies</button> <button>Manage preferences</button>
</div>
<header class="site-header">
  <a class="logo" href="/">The Morning Star home</a>
  <nav class="main-menu" aria-label="Main menu">
    <ul>
      <li><a href="/britain">Britain</a></li>
      <li><a href="/world">World news</a></li>
      <li><a href="/features">Features section</a></li>
      <li><a href="/editorial">Editorials and opinion</a></li>
      <li><a href="/culture">Arts and culture</a></li>
      <li><a href="/subscribe">Subscribe to the paper</a></li>
    </ul>
  </nav>
  <form class="search" action="/search"><input name="q" placeholder="Search the site">
    <button>Search now</button></form>
</header>
<nav class="breadcrumbs"><a href="/">Home page</a> › <a href="/features">Features listing</a></nav>
"""

_NEWS_BOILERPLATE_AFTER = """
<div class="share-buttons">
  <span>Share this article</span>
  <a href="https://facebook.example/share">Share on Facebook</a>
  <a href="https://x.example/intent">Share on X</a>
  <a href="mailto:?subject=article">Email this article</a>
</div>
<aside class="newsletter-signup">
  <h3>Sign up to our daily newsletter</h3>
  <p>Get the headlines in your inbox every morning.</p>
  <form><input type="email" placeholder="Your email address"><button>Sign me up</button></form>
</aside>
<section class="related-articles">
  <h2>Similar stories</h2>
  <ul>
    <li><a href="/a1">Taklimakan desert workers plant the world’s greatest forest</a>
      <p>Chinese planning created the greatest reforestation programme, writes
        CARLOS MARTINEZ</p></li>
    <li><a href="/a2">Qiansimen Bridge and the journey from poverty</a>
      <p>The nation’s infrastructure projects reflect its fast development, writes
        a reporter</p></li>
  </ul>
</section>
<section id="comments" class="comments">
  <h3>3 comments on this story</h3>
  <div class="comment"><p class="comment-author">reader42 said:</p>
    <p>Great piece, shared it with my whole union branch.</p></div>
  <div class="comment"><p class="comment-author">anotherreader said:</p>
    <p>I visited Jiayuguan myself in 2019 and can confirm everything here.</p></div>
  <form class="comment-form"><h4>Leave a reply</h4><textarea></textarea>
    <button>Post comment</button></form>
</section>
"""

_NEWS_FOOTER = """
<footer class="site-footer">
  <nav class="footer-menu"><ul>
    <li><a href="/about">About the Morning Star</a></li>
    <li><a href="/contact">Contact the newsroom</a></li>
    <li><a href="/privacy">Privacy policy</a></li>
    <li><a href="/cookies">Cookie settings</a></li>
  </ul></nav>
  <p>© 2025 People’s Press Printing Society Ltd. All rights reserved.</p>
</footer>
"""

NEWS_ARTICLE_PHRASES = (
    "China’s socialism succeeds where Eastern European failed",
    "THOSE of us who were born on the ruins",
    "A city built around a steel plant",
    "The plant was the city, and the city was the plant",
    "good housing within walking distance of the works",
    "public services that did not close with the factories.",
    "The numbers",
    "ten million tonnes",
    "Nowa Huta, built around the Vladimir Lenin Steelworks",
    "Jiayuguan kept its furnaces burning and its people at work.",
)

NEWS_BOILERPLATE_PHRASES = (
    "Skip to main content",
    "Gifts from The Morning Star",
    "We use cookies",
    "Accept all cookies",
    "Manage preferences",
    "World news",
    "Features section",
    "Subscribe to the paper",
    "Search now",
    "Home page",
    "Share this article",
    "Share on Facebook",
    "Email this article",
    "Sign up to our daily newsletter",
    "Sign me up",
    "Similar stories",
    "Taklimakan desert workers",
    "3 comments on this story",
    "shared it with my whole union branch",
    "Leave a reply",
    "About the Morning Star",
    "Contact the newsroom",
    "Privacy policy",
    "Cookie settings",
    "All rights reserved",
    "© 2025",
    "trackingSecret",
    "font-family",
)


def news_page(*, article: str = _NEWS_ARTICLE, charset: str | None = "utf-8") -> WebPage:
    """A news site's article page: skip link, promo bar, cookie banner, menu, breadcrumbs,
    the article, share buttons, a newsletter box, related stories, comments and a footer;
    scripts and styles in the head and body."""
    meta_charset = f'<meta charset="{charset}">' if charset else ""
    page = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
{meta_charset}
<title>{NEWS_TITLE} | Morning Star</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:title" content="{NEWS_TITLE}">
<meta property="og:site_name" content="Morning Star">
<meta property="og:url" content="{NEWS_URL}">
<meta property="og:type" content="article">
<meta name="author" content="Pawel Wargan">
<meta property="article:published_time" content="2025-07-15T09:00:00+01:00">
<link rel="canonical" href="{NEWS_URL}">
<style>body {{ font-family: Georgia, serif; }} .cookie-consent {{ position: fixed; }}</style>
<script>var trackingSecret = "abc123"; document.write("trackingSecret");</script>
</head>
<body class="article-page">
{_NEWS_BOILERPLATE_BEFORE}
<main id="main-content">
{article}
{_NEWS_BOILERPLATE_AFTER}
</main>
{_NEWS_FOOTER}
<script src="/analytics.js"></script>
<script>window.dataLayer = []; console.log("trackingSecret loaded");</script>
</body>
</html>
"""
    return WebPage(
        html=page,
        article=NEWS_ARTICLE_PHRASES,
        boilerplate=NEWS_BOILERPLATE_PHRASES,
        title=NEWS_TITLE,
        authors=("Pawel Wargan",),
        site="Morning Star",
        date="2025-07-15",
        url=NEWS_URL,
        language="en-GB",
    )


# -- a blog on a site builder --------------------------------------------------------------

BLOG_TITLE = "Localising the Soviet in China: Industrial Development Beyond Centralised Models"
BLOG_URL = "https://peripheralhistories.example/post/localising-the-soviet-in-china"


def blog_page() -> WebPage:
    """A site-builder blog post (like the sample library's fourth article): "top of page",
    the writer's picture, a view counter, a tag cloud, "Recent Posts" and "bottom of page",
    in the builder's div soup, with the metadata in JSON-LD and Open Graph."""
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{BLOG_TITLE}</title>
<meta property="og:title" content="{BLOG_TITLE}">
<meta property="og:url" content="{BLOG_URL}">
<meta property="og:site_name" content="Peripheral Histories">
<script type="application/ld+json">
{{"@context": "https://schema.org", "@type": "BlogPosting",
  "headline": "{BLOG_TITLE}",
  "author": {{"@type": "Person", "name": "Karina Khasnulina"}},
  "datePublished": "2023-05-02T10:00:00Z",
  "publisher": {{"@type": "Organization", "name": "Peripheral Histories"}}}}
</script>
<style>#comp-1 {{ display: block; }}</style>
</head>
<body>
<div id="SITE_CONTAINER"><div id="main_MF">
<a id="top" href="#bottom">top of page</a>
<header id="SITE_HEADER"><div class="comp"><div class="comp">
  <p class="site-name">Peripheral Histories ISSN 2755-368X</p>
  <nav><ul><li><a href="/">Home</a></li><li><a href="/blog">Blog archive</a></li>
  <li><a href="/about">About the journal</a></li><li><a href="/submit">Submissions</a></li>
  <li><a href="/login">Log In</a></li></ul></nav>
</div></div></header>
<main id="PAGES_CONTAINER"><div class="comp"><div class="comp">
<div class="post-header"><span class="writer">Writer's picture</span>
  <span class="writer-name">Peripheral Histories ISSN 2755-368X</span>
  <span class="post-date">May 2, 2023</span> <span>12 min read</span></div>
<article class="blog-post">
<h1>{BLOG_TITLE}</h1>
<p><strong>Karina Khasnulina</strong></p>
<p>At the beginning of the First Five Year Plan in China, Mao Zedong said: ‘What can we
make at present? We can make tables and chairs, teacups and teapots, we can grow grain and
grind it into flour, and we can make paper. But we cannot make a single motor car, plane,
tank, or tractor’. Four years later in 1958, the No. 1 Tractor Plant located in the city of
Luoyang, Henan province produced the first Chinese tractor, known as Dongfanghong.</p>
<p>The literature on economic construction in the People’s Republic of China in the 1950s
suggests that the establishment of new industrial infrastructure and management policies
were characterized by the transfer of the <em>Soviet model</em>.</p>
<h2>Beyond the Moscow-Beijing line</h2>
<p>My approach is to move away from the Moscow-Beijing line when studying Soviet-Chinese
cooperation in the 1950s. I will show below how socialist construction was localised by
the engineers who came from Kharkiv and the workers who learned from them.</p>
<pre><code>Plant No. 1: 1955 ground broken
             1958 first tractor</code></pre>
<p>[1] Westad, Odd Arne. The Global Cold War. Cambridge University Press, 2005.</p>
</article>
<div class="post-footer"><span>66 views</span><span>0 comments</span>
  <a href="/like">Post not marked as liked</a></div>
<section class="recent-posts"><h2>Recent Posts</h2><a href="/blog">See All</a>
  <div><a href="/p1">Workers’ housing in Magnitogorsk, a case study</a></div>
  <div><a href="/p2">A history of the tractor station in twelve objects</a></div></section>
</div></div></main>
<footer id="SITE_FOOTER"><p>©2023 by Peripheral Histories. Proudly created with a site
  builder.</p><a href="/subscribe">Subscribe to our mailing list</a></footer>
<a id="bottom" href="#top">bottom of page</a>
</div></div>
<script>window.viewerModel = {{"secret": "wixTrackingToken"}};</script>
</body>
</html>
"""
    return WebPage(
        html=page,
        article=(
            BLOG_TITLE,
            "At the beginning of the First Five Year Plan in China",
            "known as Dongfanghong.",
            "Soviet model",
            "Beyond the Moscow-Beijing line",
            "the engineers who came from Kharkiv",
            "1958 first tractor",
        ),
        boilerplate=(
            "top of page",
            "bottom of page",
            "Writer's picture",
            "12 min read",
            "Blog archive",
            "About the journal",
            "Log In",
            "66 views",
            "0 comments",
            "Post not marked as liked",
            "Recent Posts",
            "See All",
            "Workers’ housing in Magnitogorsk",
            "Proudly created with a site",
            "Subscribe to our mailing list",
            "wixTrackingToken",
        ),
        title=BLOG_TITLE,
        authors=("Karina Khasnulina",),
        site="Peripheral Histories",
        date="2023-05-02",
        url=BLOG_URL,
        language="en",
    )


# -- an organisation's report page ---------------------------------------------------------

REPORT_TITLE = "Report: Delegation to China, May-June 2025"
REPORT_URL = "https://progressive.example/briefing/report-delegation-to-china"


def report_page() -> WebPage:
    """An organisation's report page (like the sample library's second article): a language
    switcher, a mega menu, the report, an "Available in" box, a donation appeal and a footer
    of policy links run together ("Privacy PolicyManage CookiesContribution SettingsJobs")."""
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{REPORT_TITLE} – Progressive International</title>
<meta property="og:site_name" content="Progressive International">
<meta property="og:title" content="{REPORT_TITLE}">
<meta name="date" content="2025-06-27">
<link rel="canonical" href="{REPORT_URL}">
</head>
<body>
<div class="language-switcher"><a href="?lang=es">Español</a> <a href="?lang=fr">Français</a>
  <a href="?lang=pt">Português</a></div>
<nav class="mega-menu">
  <div><h4>Movement</h4><a href="/join">Join the movement</a>
    <a href="/donate">Donate today</a></div>
  <div><h4>Blueprint</h4><a href="/blueprint">Read the Blueprint</a></div>
  <div><h4>Wire</h4><a href="/wire">Wire dispatches</a></div>
</nav>
<div class="content">
<h1>{REPORT_TITLE}</h1>
<p class="summary">Report from the CNIE delegation to Shaanxi province, Gansu province, and
Shanghai in China.</p>
<p>Between 25 May and 5 June, the China NGO Network for International Exchanges (CNIE),
working in coordination with Friends of Socialist China, hosted an international delegation to
three regions of China: Shaanxi province, Gansu province, and Shanghai.</p>
<h2>Overview</h2>
<p>The delegation’s 10-day journey through China traced a remarkable arc of transformation,
from the humble beginnings of revolutionary struggle to the latest achievements of
contemporary socialist construction.</p>
<p>The trip began with a journey from Xi’an to Yan’an, a quick trip by express train that
less than a century ago would have taken days of travel along dangerous mountain roads.</p>
<h2>Shanghai</h2>
<p>The result is that Shanghai, among China’s most market-oriented cities, is developing in a
direction that feels <em>qualitatively different</em> to other major metropolises.</p>
</div>
<div class="available-in"><span>Available in</span> <a href="?lang=en">English</a></div>
<div class="donate-box"><p>Support our work: the International is funded by its members.</p>
  <a href="/donate">Give monthly</a></div>
<footer><a href="/privacy">Privacy Policy</a><a href="/cookies">Manage Cookies</a><a
href="/contribute">Contribution Settings</a><a href="/jobs">Jobs</a>
<p>Site and identity: Common Knowledge &amp; Robbie Blundell</p></footer>
</body>
</html>
"""
    return WebPage(
        html=page,
        article=(
            REPORT_TITLE,
            "Between 25 May and 5 June",
            "Overview",
            "a remarkable arc of transformation",
            "along dangerous mountain roads.",
            "qualitatively different",
        ),
        boilerplate=(
            "Español",
            "Join the movement",
            "Donate today",
            "Read the Blueprint",
            "Wire dispatches",
            "Available in",
            "Support our work",
            "Give monthly",
            "Privacy Policy",
            "Manage Cookies",
            "Jobs",
            "Site and identity",
        ),
        title=REPORT_TITLE,
        authors=(),
        site="Progressive International",
        date="2025-06-27",
        url=REPORT_URL,
        language="en",
    )


# -- a WordPress blog -------------------------------------------------------------------------

WORDPRESS_TITLE = "Delegates learn about Socialist China"


def wordpress_page() -> WebPage:
    """A WordPress post (like the sample library's third article): skip link, site tagline,
    menu, the post with its byline and "Continue reading" link, category and tag links, post
    navigation, the reply form, a sidebar of widgets (search, recent posts, categories,
    archives), the theme's footer and a cookie notice at the end of the body."""
    paras = "".join(
        f"<p>Paragraph {number} of the post: the delegation visited the solar park and the "
        "dairy farm, and talked with workers about their pay and their housing.</p>"
        for number in range(6)
    )
    page = f"""<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8">
<title>Delegates learn about Socialist China &#8211; Friends of Socialist China</title>
<meta property="og:site_name" content="Friends of Socialist China">
<link rel='stylesheet' href='x.css'></head>
<body class="post-template-default single single-post">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header"><div class="site-branding"><p class="site-title">
<a href="/">Friends of Socialist China</a></p>
<p class="site-description">Defending the People's Republic, promoting understanding</p></div>
<nav id="site-navigation" class="main-navigation"><button class="menu-toggle">Menu</button>
<ul id="primary-menu" class="menu"><li><a href="/about">About the platform</a></li><li>
<a href="/events">Upcoming events</a></li><li><a href="/join">Join our mailing list</a></li>
</ul></nav></header>
<div id="content" class="site-content"><div id="primary" class="content-area">
<main id="main" class="site-main">
<article id="post-123" class="post-123 post type-post"><header class="entry-header">
<h1 class="entry-title">Delegates learn about Socialist China</h1>
<div class="entry-meta">
<span class="posted-on">Posted on <time class="entry-date published"
  datetime="2025-05-02T10:00:00+00:00">May 2, 2025</time></span><span class="byline"> by
  <span class="author vcard"><a class="url fn n" href="/author/keith">Keith Bennett</a></span>
  </span></div></header>
<div class="entry-content">{paras}<p>Continue reading
  <a href="https://example.org/x">Delegates from Britain learn about China</a></p></div>
<footer class="entry-footer"><span class="cat-links">Posted in <a href="/cat/news">News</a>
</span><span class="tags-links">Tagged <a href="/tag/china">China</a></span></footer></article>
<nav class="navigation post-navigation"><h2 class="screen-reader-text">Post navigation</h2>
<div class="nav-links"><div class="nav-previous">
<a href="/prev">Previous post: Hotline serves the people</a></div><div class="nav-next">
<a href="/next">Next post: Technology blazing a trail</a></div></div></nav>
<div id="comments" class="comments-area"><div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">Leave a Reply Cancel reply</h3><form>
<p class="comment-notes">Your email address will not be published.</p><textarea></textarea>
<input type="submit" value="Post Comment"></form></div></div>
</main></div>
<aside id="secondary" class="widget-area"><section id="search-2" class="widget widget_search">
<form><input type="search" placeholder="Search …"></form></section>
<section id="recent-posts-2" class="widget widget_recent_entries">
<h2 class="widget-title">Recent Posts</h2><ul><li>
<a href="/a">China’s technology infrastructure is blazing a trail for humanity</a></li><li>
<a href="/b">Localising the Soviet in China</a></li></ul></section>
<section id="categories-2" class="widget widget_categories">
<h2 class="widget-title">Categories</h2><ul><li><a href="/c1">Analysis and commentary</a></li>
<li><a href="/c2">Delegation reports</a></li></ul></section>
<section id="archives-2" class="widget widget_archive"><h2 class="widget-title">Archives</h2>
<ul><li><a href="/2025/05">May 2025</a></li><li><a href="/2025/04">April 2025</a></li></ul>
</section></aside>
</div><footer id="colophon" class="site-footer">
<div class="site-info">Proudly powered by WordPress | Theme: Twenty by Automattic.</div>
</footer></div>
<div id="cookie-notice" role="dialog" class="cookie-notice-hidden">
<div class="cookie-notice-container">
<span id="cn-notice-text">We use cookies to ensure that we give you the best experience on
  our website. If you continue to use this site we will assume that you are happy with it.</span>
  <a href="#" id="cn-accept-cookie">Ok</a><a href="/privacy" id="cn-more-info">Privacy policy</a>
</div></div>
</body></html>"""
    return WebPage(
        html=page,
        article=(
            WORDPRESS_TITLE,
            "Paragraph 0 of the post",
            "Paragraph 5 of the post",
            "Continue reading Delegates from Britain learn about China",
        ),
        boilerplate=(
            "Skip to content",
            "Defending the People",
            "About the platform",
            "Upcoming events",
            "Join our mailing list",
            "Posted in",
            "Tagged",
            "Post navigation",
            "Previous post",
            "Leave a Reply",
            "Your email address",
            "Recent Posts",
            "Categories",
            "Archives",
            "April 2025",
            "Proudly powered",
            "We use cookies",
            "Privacy policy",
            "Menu",
        ),
        title=WORDPRESS_TITLE,
        authors=("Keith Bennett",),
        site="Friends of Socialist China",
        date="2025-05-02",
        language="en-US",
    )


# -- the sample library's Morning Star article, back in its page -----------------------------

#: The seed (../shared/seeds/) scraped from the Morning Star with its page left in.
MORNING_STAR_SEED = "000_642b3d93ce9c3271.txt"


def morning_star_seed_page(seed: str) -> WebPage:
    """The sample library's first article as the page it was scraped from: its first two
    lines ("Skip to main content", "Gifts from The Morning Star") back in the header, its
    headline, standfirst, photo caption and paragraphs in the article, and what followed it
    (the appeal, the paywall notice, "More from this author", "Similar stories") in boxes
    around it, as on the site."""
    lines = seed.split("\n")
    skip, promo, headline = lines[0], lines[1], lines[2]
    appeal = lines.index("The 95th Anniversary Appeal")
    more = lines.index("More from this author")
    paragraphs = [line.strip() for line in lines[3:appeal] if line.strip()]
    standfirst, caption, body = paragraphs[0], paragraphs[1], paragraphs[2:]
    teasers = [line.strip() for line in lines[more + 1 :] if line.strip()]
    page = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{escape(headline)} | Morning Star</title>
<meta property="og:site_name" content="Morning Star"></head>
<body>
<a href="#main" class="visually-hidden-focusable">{escape(skip)}</a>
<div class="gift-banner"><a href="/shop">{escape(promo)}</a></div>
<nav class="navbar"><ul><li><a href="/britain">Britain</a></li><li><a href="/world">World</a></li>
<li><a href="/features">Features</a></li><li><a href="/editorial">Editorial</a></li></ul></nav>
<main id="main"><article>
<h1>{escape(headline)}</h1>
<p class="lead">{escape(standfirst)}</p>
<figure><img src="photo.jpg" alt=""><figcaption>{escape(caption)}</figcaption></figure>
{"".join(f"<p>{escape(paragraph)}</p>" for paragraph in body)}
</article>
<div class="appeal"><h3>{escape(lines[appeal])}</h3><p>{escape(lines[appeal + 1])}</p></div>
<div class="paywall"><p>{escape(lines[appeal + 2])}</p><p>{escape(lines[appeal + 3])}</p></div>
<aside class="more-from-author"><h2>More from this author</h2><ul>
{"".join(f"<li><a href='/a'>{escape(teaser)}</a></li>" for teaser in teasers)}
</ul></aside></main>
<footer><p>© Morning Star. All rights reserved.</p></footer>
</body></html>
"""
    return WebPage(
        html=page,
        article=(headline, body[0], body[len(body) // 2], body[-1]),
        boilerplate=(
            skip,
            promo,
            lines[appeal],
            lines[appeal + 1],
            lines[appeal + 2],
            "More from this author",
            "Similar stories",
            "Fascism / 10 May 2025",
            "All rights reserved",
        ),
        title=headline,
        site="Morning Star",
        language="en",
    )


def escape(text: str) -> str:
    """`text` as HTML character data."""
    return html.escape(text, quote=False)
