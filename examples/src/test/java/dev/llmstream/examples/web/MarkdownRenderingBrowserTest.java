package dev.llmstream.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page's Markdown renderer ({@code web/markdown.js} over the vendored {@code smd.js}) in headless
 * Chromium: a streamed rendering, whatever the split points, ends in exactly the DOM of a full render
 * of the final text (every recorded answer and reasoning in {@code ../shared/fixtures}, and synthetic
 * answers); partial Markdown renders sanely while it streams; model output stays inert.
 *
 * <p>The page's files are served as they are shipped (from the class path) by a small static server,
 * so the test exercises the very modules the browser chat loads.
 */
class MarkdownRenderingBrowserTest {
  private static final String HARNESS = """
      <!doctype html><meta charset="utf-8"><title>markdown harness</title><div id="out"></div>
      <script type="module">
      import { markdownView, renderMarkdown } from "/markdown.js";
      const firstDiff = (a, b) => {
        let i = 0;
        while (i < a.length && a[i] === b[i]) i++;
        return "at " + i + ": got " + JSON.stringify(a.slice(i, i + 60)) + ", full render " + JSON.stringify(b.slice(i, i + 60));
      };
      const every = (n, k) => { const c = []; for (let p = k; p < n; p += k) c.push(p); return c; };
      window.check = (text) => {
        const ref = document.createElement("div");
        renderMarkdown(ref, text);
        const want = ref.innerHTML;
        const plans = [];
        for (const k of [1, 2, 3, 5, 8, 13, 64, 512]) plans.push(["every " + k + " chars", every(text.length, k)]);
        const n = Math.min(text.length, 300);
        for (let i = 1; i < n; i++) { const at = Math.floor(i * text.length / n); plans.push(["split at " + at, [at]]); }
        let seed = 42;
        const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
        for (let r = 0; r < 8; r++) {
          const c = []; let p = 0;
          while ((p += 1 + Math.floor(rnd() * 40)) < text.length) c.push(p);
          plans.push(["network-like chunks #" + r, c]);
        }
        const bad = [];
        for (const [name, cuts] of plans) {
          const el = document.createElement("div");
          const view = markdownView(el);
          let from = 0;
          for (const c of cuts) { view.write(text.slice(from, c)); from = c; }
          view.write(text.slice(from));
          view.end();
          if (el.innerHTML !== want) bad.push(name + " " + firstDiff(el.innerHTML, want));
        }
        return { plans: plans.length, html: want, text: ref.textContent, bad: bad.slice(0, 5) };
      };
      window.partial = (text) => {
        const el = document.createElement("div");
        markdownView(el).write(text);
        return el.innerHTML;
      };
      window.full = (text) => {
        const el = document.getElementById("out");
        renderMarkdown(el, text);
        return el.innerHTML;
      };
      window.untouched = (text) => {
        const el = document.createElement("div");
        const view = markdownView(el);
        const half = Math.floor(text.length / 2);
        view.write(text.slice(0, half));
        const blocks = [...el.children].flatMap((g) => [...g.children]);
        const finished = blocks.slice(0, -1); // the last block may still be open
        const html = finished.map((b) => b.outerHTML);
        const watch = new MutationObserver(() => {});
        finished.forEach((b) => watch.observe(b, { subtree: true, childList: true, characterData: true, attributes: true }));
        for (let i = half; i < text.length; i += 7) view.write(text.slice(i, i + 7));
        view.end();
        return { finished: finished.length, mutations: watch.takeRecords().length,
          same: finished.every((b, i) => el.contains(b) && b.outerHTML === html[i]) };
      };
      window.harnessReady = true;
      </script>
      """;

  private static HttpServer server;
  private static WebDriver driver;

  @BeforeAll
  static void start() throws IOException {
    Chromium.assumeInstalled("MarkdownRenderingBrowserTest");
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/", MarkdownRenderingBrowserTest::serve);
    server.start();
    driver = Chromium.start();
    driver.get("http://127.0.0.1:" + server.getAddress().getPort() + "/harness.html");
    new WebDriverWait(driver, Duration.ofSeconds(20))
        .until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript("return window.harnessReady === true")));
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (server != null) {
      server.stop(0);
    }
  }

  private static void serve(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    byte[] body;
    String type;
    if (path.equals("/harness.html")) {
      body = HARNESS.getBytes(StandardCharsets.UTF_8);
      type = "text/html; charset=utf-8";
    } else {
      try (InputStream in = MarkdownRenderingBrowserTest.class.getResourceAsStream("/web" + path)) {
        if (in == null || !path.matches("/[a-z]+\\.js")) {
          ex.sendResponseHeaders(404, -1);
          ex.close();
          return;
        }
        body = in.readAllBytes();
        type = "text/javascript; charset=utf-8";
      }
    }
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  static Stream<Arguments> recordedAnswers() throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<Arguments> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(fixtures().resolve("groq"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".expected.json")).sorted().toList()) {
        JsonNode expected = json.readTree(f.toFile());
        String name = f.getFileName().toString().replace(".expected.json", "");
        for (String field : List.of("text", "reasoning")) {
          JsonNode value = expected.get(field);
          if (value != null && value.isTextual() && !value.asText().isEmpty()) {
            all.add(Arguments.of(name + " " + field, value.asText()));
          }
        }
      }
    }
    assertThat(all).as("recorded answers found").hasSizeGreaterThanOrEqualTo(10);
    return all.stream();
  }

  static Stream<Arguments> syntheticAnswers() {
    return Stream.of(
        Arguments.of("every block kind", """
            # Heading one
            ## Heading **two**
            Plain paragraph with *italics*, __bold__, ~~strike~~, `inline code` and a [link](https://example.com/a?b=c&d=e).
            A second line of the same paragraph.

            - bullet one with **bold**
            - bullet two
              - nested bullet
            - [x] a task

            1. first
            2. second

            > a quote
            > over two lines

            ```java
            class A { int x = 1 < 2 ? 3 : 4; }
            ```

                indented code

            | col a | col b |
            |---|---|
            | 1 | 2 |
            | 3 | 4 |

            ---
            Ends here: $x^2$ and a price of $5.
            """),
        Arguments.of("unclosed fence at the end", "Intro.\n\n```python\ndef f():\n    return 1\n"),
        Arguments.of("unclosed bold at the end", "This is **almost bold"),
        Arguments.of("half-written list item", "Steps:\n\n- one\n- two is half writ"),
        Arguments.of("CRLF line ends", "Line one\r\nLine two\r\n\r\n- item\r\n- item two\r\n"),
        Arguments.of("emoji and other scripts", "Grüße 👋🏽 — 你好, мир! **שלום** `λx.x` 🚀🚀\n\n- 😀 one\n- ✅ two"),
        Arguments.of("html in the answer", "<div onclick=alert(1)>hi</div> &amp; <b>not bold</b>\n\n<script>alert(1)</script>"),
        Arguments.of("long generated answer", generated(20_000, 7)));
  }

  /** A mixed Markdown answer of about {@code chars} characters: paragraphs, lists with bold, code fences. */
  static String generated(int chars, long seed) {
    Random r = new Random(seed);
    String[] words = {"stream", "token", "answer", "buffer", "frame", "render", "browser", "latency", "model", "chunk"};
    StringBuilder b = new StringBuilder();
    int block = 0;
    while (b.length() < chars) {
      switch (block++ % 4) {
        case 0 -> {
          b.append("## Section ").append(block).append("\n\n");
          for (int s = 0; s < 4; s++) {
            b.append(Character.toUpperCase(words[r.nextInt(words.length)].charAt(0)))
                .append(words[r.nextInt(words.length)].substring(1));
            for (int w = 0; w < 8 + r.nextInt(8); w++) {
              b.append(' ').append(w % 5 == 4 ? "`" + words[r.nextInt(words.length)] + "`" : words[r.nextInt(words.length)]);
            }
            b.append(". ");
          }
          b.append("\n\n");
        }
        case 1 -> {
          for (int i = 0; i < 3 + r.nextInt(3); i++) {
            b.append("- **").append(words[r.nextInt(words.length)]).append("**: ")
                .append(words[r.nextInt(words.length)]).append(' ').append(words[r.nextInt(words.length)]).append('\n');
          }
          b.append('\n');
        }
        case 2 -> {
          b.append("```java\n");
          for (int i = 0; i < 3 + r.nextInt(4); i++) {
            b.append("var ").append(words[r.nextInt(words.length)]).append(i).append(" = List.of(\"<a>\", ").append(i).append(");\n");
          }
          b.append("```\n\n");
        }
        default -> b.append("1. ").append(words[r.nextInt(words.length)]).append(" *then* ")
            .append(words[r.nextInt(words.length)]).append("\n2. done\n\n");
      }
    }
    return b.toString();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"recordedAnswers", "syntheticAnswers"})
  void aStreamedRenderingEndsInTheDomOfAFullRender(String name, String text) {
    @SuppressWarnings("unchecked")
    Map<String, Object> result = (Map<String, Object>) js("return check(arguments[0]);", text);
    assertThat((List<?>) result.get("bad")).as("split plans whose final DOM differs from the full render").isEmpty();
    assertThat(((Number) result.get("plans")).intValue()).isGreaterThan(8);
    // The full render shows the whole answer: the same letters in the same order as the text (less
    // link targets, fence languages and task boxes, which are not shown as text).
    String shown = (String) result.get("text");
    String source = text.replaceAll("\\]\\([^)]*\\)", "]").replaceAll("```[^\n]*", "").replaceAll("\\[[xX ]\\] ", "");
    assertThat(letters(shown)).as("letters shown for %s", name).isEqualTo(letters(source));
  }

  private static String letters(String s) {
    return s.replaceAll("[^\\p{L}]", "");
  }

  @Test
  void finishedBlocksAreNeverTouchedAgain() {
    @SuppressWarnings("unchecked")
    Map<String, Object> r = (Map<String, Object>) js("return untouched(arguments[0]);", generated(20_000, 11));
    assertThat(((Number) r.get("finished")).intValue()).as("finished blocks after half the answer").isGreaterThan(50);
    assertThat(((Number) r.get("mutations")).intValue()).as("DOM changes inside finished blocks").isZero();
    assertThat(r.get("same")).isEqualTo(Boolean.TRUE);
  }

  @Test
  void partialMarkdownRendersSanelyWhileItStreams() {
    assertThat((String) js("return partial(arguments[0]);", "Some **bo"))
        .as("an open bold is bold at once, never literal asterisks").contains("<strong>b").doesNotContain("**");
    assertThat((String) js("return partial(arguments[0]);", "Intro.\n\n```js\nlet x = 1;\nlet y"))
        .as("an unclosed fence is code").contains("<pre><code data-lang=\"js\">let x = 1;\nlet ");
    assertThat((String) js("return partial(arguments[0]);", "- one\n- half writ"))
        .as("a half-written list item stays a list item").contains("<ul><li>one</li><li>half wri");
    assertThat((String) js("return partial(arguments[0]);", "Use `code her"))
        .as("open inline code is code").contains("<code>code he");
  }

  @Test
  void modelOutputStaysInert() {
    String evil = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">\n\n"
        + "[click](javascript:window.pwned=3) [data](data:text/html,<b>x</b>) ![tracker](https://evil.example/p.png?secret=1)\n\n"
        + "[fine](https://example.com/ok)";
    String html = (String) js("return full(arguments[0]);", evil);
    assertThat(html).doesNotContain("<script").doesNotContain("<img");
    assertThat(js("return [...document.querySelectorAll('#out *')].flatMap(e => [...e.attributes])"
            + ".filter(a => a.name.startsWith('on') || a.name === 'src' || a.name === 'style').length;"))
        .as("no event handler, src or style attribute").isEqualTo(0L);
    assertThat(html).contains("&lt;script&gt;window.pwned=1&lt;/script&gt;");
    @SuppressWarnings("unchecked")
    List<String> hrefs = (List<String>) js(
        "return [...document.querySelectorAll('#out a')].map(a => a.getAttribute('href')).filter(h => h != null);");
    assertThat(hrefs).containsExactly("https://evil.example/p.png?secret=1", "https://example.com/ok");
    assertThat(js("return document.querySelectorAll('#out img').length;")).isEqualTo(0L);
    assertThat(js("return window.pwned === undefined;")).isEqualTo(Boolean.TRUE);
  }

  static Path fixtures() {
    String prop = System.getProperty("llmstream.fixtures");
    if (prop != null && Files.isDirectory(Path.of(prop))) {
      return Path.of(prop);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("../shared/fixtures").normalize();
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("fixtures not found: set -Dllmstream.fixtures or keep ../shared/fixtures");
  }
}
