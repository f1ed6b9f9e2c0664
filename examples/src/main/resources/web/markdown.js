// Incremental, inert Markdown for streamed answers (ES module, no build step).
//
// The parser is the vendored streaming-markdown (smd.js): a character-level state machine that only
// ever appends to the DOM, so the work for a batch is proportional to the batch, finished blocks are
// never touched again, and the result does not depend on where the text was split (markdown-test.html
// and MarkdownRenderingBrowserTest check that for every recorded answer at many split points).
//
// This file is the renderer the parser calls. It builds elements with createElement/textContent only,
// so model output never becomes markup: raw HTML stays text, links get an href only for http(s) and
// mailto URLs (never javascript:/data:), and images are never loaded (a model can be prompted to put
// private data in an image URL): they show as a link with their alt text.
import * as smd from "/smd.js";

const SAFE_URL = /^(https?:\/\/|mailto:)/i;
const GROUP_SIZE = 32;

function element(type, parent) {
  switch (type) {
    case smd.BLOCKQUOTE: return document.createElement("blockquote");
    case smd.PARAGRAPH: return document.createElement("p");
    case smd.LINE_BREAK: return document.createElement("br");
    case smd.RULE: return document.createElement("hr");
    case smd.HEADING_1: return document.createElement("h1");
    case smd.HEADING_2: return document.createElement("h2");
    case smd.HEADING_3: return document.createElement("h3");
    case smd.HEADING_4: return document.createElement("h4");
    case smd.HEADING_5: return document.createElement("h5");
    case smd.HEADING_6: return document.createElement("h6");
    case smd.ITALIC_AST: case smd.ITALIC_UND: return document.createElement("em");
    case smd.STRONG_AST: case smd.STRONG_UND: return document.createElement("strong");
    case smd.STRIKE: return document.createElement("s");
    case smd.CODE_INLINE: return document.createElement("code");
    case smd.LINK: case smd.RAW_URL: case smd.IMAGE: {
      const a = document.createElement("a");
      a.rel = "noopener noreferrer nofollow";
      a.target = "_blank";
      if (type === smd.IMAGE) a.className = "image-link";
      return a;
    }
    case smd.LIST_UNORDERED: return document.createElement("ul");
    case smd.LIST_ORDERED: return document.createElement("ol");
    case smd.LIST_ITEM: return document.createElement("li");
    case smd.CHECKBOX: {
      const box = document.createElement("input");
      box.type = "checkbox";
      box.disabled = true;
      return box;
    }
    case smd.TABLE: return document.createElement("table");
    case smd.TABLE_ROW: return document.createElement("tr");
    case smd.TABLE_CELL:
      return document.createElement(parent.parentElement && parent.parentElement.tagName === "THEAD" ? "th" : "td");
    case smd.EQUATION_BLOCK: case smd.EQUATION_INLINE: {
      const code = document.createElement("code");
      code.className = "math";
      return code;
    }
    default: return document.createElement("span"); // a token this renderer does not know: plain text
  }
}

function addToken(data, type) {
  if (type === smd.DOCUMENT) return;
  let parent = data.nodes[data.index];
  if (data.index === 0) {
    // Top-level blocks go into groups of GROUP_SIZE: the browser's layout of a container grows with its
    // children, so a flat answer of thousands of blocks costs more per frame the longer it gets (2 ms a
    // frame at 100k characters, 60 ms at 1M, measured); in groups only the open group and the list of
    // groups are laid out again (about 1 ms at 1M).
    if (!data.group || data.group.childElementCount >= GROUP_SIZE) {
      data.group = parent.appendChild(document.createElement("div"));
      data.group.className = "md-group";
    }
    parent = data.group;
  }
  let slot;
  if (type === smd.CODE_BLOCK || type === smd.CODE_FENCE) {
    parent = parent.appendChild(document.createElement("pre"));
    slot = document.createElement("code");
  } else if (type === smd.TABLE_ROW) {
    // The first row is the header; the others go to one tbody.
    if (parent.children.length === 0) parent = parent.appendChild(document.createElement("thead"));
    else if (parent.children.length === 1) parent = parent.appendChild(document.createElement("tbody"));
    else parent = parent.children[1];
    slot = element(type, parent);
  } else {
    slot = element(type, parent);
  }
  data.nodes[++data.index] = parent.appendChild(slot);
}

function endToken(data) {
  data.index -= 1;
}

function addText(data, text) {
  const node = data.nodes[data.index];
  const last = node.lastChild;
  // One text node per run of text, however many batches it came in (fewer nodes, same DOM as one write).
  if (last && last.nodeType === Node.TEXT_NODE) last.appendData(text);
  else node.appendChild(document.createTextNode(text));
}

function setAttr(data, type, value) {
  const node = data.nodes[data.index];
  if (node.tagName === "A" && (type === smd.HREF || type === smd.SRC) && SAFE_URL.test(value)) {
    node.setAttribute("href", value);
  } else if (node.tagName === "OL" && type === smd.START) {
    node.setAttribute("start", String(Number.parseInt(value, 10) || 1));
  } else if (node.tagName === "CODE" && type === smd.LANG) {
    node.setAttribute("data-lang", value);
  } else if (node.tagName === "INPUT" && type === smd.CHECKED) {
    node.checked = true;
    node.setAttribute("checked", "");
  }
  // Anything else (an unsafe URL, an attribute this renderer does not know) is dropped.
}

/**
 * A streaming view of one answer rendered into `root` (which it owns: it appends, never rewrites).
 * write(chunk) appends text, end() flushes what the parser held back (call it once, when the answer
 * ended), reset() empties the view for a redraw (a "replaced" event).
 */
export function markdownView(root) {
  let parser = null;
  const fresh = () => smd.parser({
    add_token: addToken, end_token: endToken, add_text: addText, set_attr: setAttr,
    data: { nodes: [root], index: 0, group: null },
  });
  parser = fresh();
  return {
    write(chunk) { if (chunk) smd.parser_write(parser, chunk); },
    end() { smd.parser_end(parser); },
    reset() { root.replaceChildren(); parser = fresh(); },
  };
}

/** Renders a whole text at once into `root` (replacing what it holds): the reference for a streamed view. */
export function renderMarkdown(root, text) {
  root.replaceChildren();
  const view = markdownView(root);
  view.write(text);
  view.end();
}
