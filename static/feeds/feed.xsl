<?xml version="1.0" encoding="utf-8"?>
<!-- Shows a feed (Atom or RSS) as a readable page when someone opens it in a browser.
     First-party and script-free, so the site's Content-Security-Policy allows it. -->
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
  <xsl:template match="/">
    <xsl:variable name="title" select="atom:feed/atom:title | rss/channel/title"/>
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <link rel="stylesheet" href="/static/css/site.css"/>
      </head>
      <body>
        <main id="main" class="wrap">
          <h1><xsl:value-of select="$title"/></h1>
          <p class="lead">This is a web feed. Copy its address into a feed reader to follow
            new entries. <a href="/">Back to the site</a>.</p>
          <ol class="change-log">
            <xsl:for-each select="atom:feed/atom:entry | rss/channel/item">
              <li>
                <time><xsl:value-of select="substring(atom:updated | pubDate, 1, 25)"/></time>
                <xsl:text> </xsl:text>
                <a href="{atom:link/@href | link}"><xsl:value-of select="atom:title | title"/></a>
                <xsl:if test="atom:summary">
                  <p class="change-note"><xsl:value-of select="atom:summary"/></p>
                </xsl:if>
              </li>
            </xsl:for-each>
          </ol>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
