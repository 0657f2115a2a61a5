// Does every slide of a reveal.js deck fit its frame? Evaluated in the page by test_decks.py:
// visits every slide and sub-slide and returns one record per problem, in CSS pixels of the
// window (what a viewer sees), with the cell it happened in (`cell-id=...` on nbconvert's cells).
//   {slide: "h/v", cell, kind: "bottom" | "top" | "left" | "right", px, cells}  content outside the
//       frame; `cells`: [cell id, height] of every cell on the slide
//   {slide, cell, kind: "clipped-x" | "clipped-y", px, part, lines}       a box hides its content
// The content is the union of the boxes of every visible element and text run of the slide (fragments
// included: they take their place before they appear), not descending into boxes that clip.
async () => {
  const Reveal = require("reveal.js/dist/reveal.js");
  Reveal.configure({ transition: "none", backgroundTransition: "none" });
  const SKIP = "aside.notes, script, style, .MJX_Assistive_MathML, .MathJax_Preview";
  // After a slide change the deck typesets the slide's maths again (MathJax.Hub.Rerender, which
  // removes each formula's output for a while): wait for MathJax's "End Rerender" signal.
  const rerenders = { begun: 0, ended: 0 };
  if (window.MathJax) {
    MathJax.Hub.processSectionDelay = 0; // its pauses between stages: for a person watching, not a test
    MathJax.Hub.Register.MessageHook("Begin Rerender", () => rerenders.begun++);
    MathJax.Hub.Register.MessageHook("End Rerender", () => rerenders.ended++);
  }
  const show = async (slide) => {
    const { h, v } = Reveal.getIndices(slide);
    const before = rerenders.begun;
    const changes = Reveal.getCurrentSlide() !== slide;
    Reveal.slide(h, v || 0);
    const maths = changes && window.MathJax && slide.querySelector('script[type^="math/tex"]');
    for (let tries = 0; maths && tries < 200; tries++) {
      if (rerenders.begun > before && rerenders.ended === rerenders.begun) break;
      await new Promise((done) => setTimeout(done, 25));
    }
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    return `${h}/${v || 0}`;
  };
  const cellOf = (node) => {
    const cell = node.closest(".jp-Cell") || node.querySelector(".jp-Cell");
    return cell ? cell.id.replace("cell-id=", "") : null;
  };
  const partOf = (node) => node.closest(".jp-OutputArea") ? "output"
    : node.closest(".jp-InputArea") ? "code" : "text";

  // The lines of a clipping box that reach past its right edge (text split at newlines).
  const longLines = (box) => {
    const limit = box.getBoundingClientRect().right - parseFloat(getComputedStyle(box).borderRightWidth);
    const range = document.createRange();
    const lines = [];
    let start = null, line = "", last = null;
    const finish = (node, offset) => {
      range.setStart(start[0], start[1]);
      range.setEnd(node, offset);
      if (line.trim() && range.getBoundingClientRect().right > limit + 1) lines.push(line.trim());
    };
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      start = start || [node, 0];
      let from = 0;
      for (let end = node.data.indexOf("\n"); end !== -1; end = node.data.indexOf("\n", end + 1)) {
        line += node.data.slice(from, end);
        finish(node, end);
        start = [node, end + 1];
        line = "";
        from = end + 1;
      }
      line += node.data.slice(from);
      last = node;
    }
    if (last) finish(last, last.length);
    return lines;
  };

  const measure = (slide, address, scale) => {
    const frame = document.querySelector(".reveal .slides").getBoundingClientRect();
    const problems = [];
    const worst = {}; // kind -> {px, cell}
    const grow = (rect, node) => {
      if (rect.width === 0 && rect.height === 0) return;
      const out = {
        top: frame.top - rect.top, bottom: rect.bottom - frame.bottom,
        left: frame.left - rect.left, right: rect.right - frame.right,
      };
      for (const [kind, px] of Object.entries(out)) {
        // the deepest element that reaches furthest (a wrapper and its cell reach as far)
        if (px > 0.5 && !(worst[kind] && worst[kind].px > px + 0.5)) worst[kind] = { px, cell: cellOf(node) };
      }
    };
    // `inside`: within a box that clips, whose own extent already counts.
    const walk = (element, inside) => {
      for (const child of element.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) {
          if (inside || !child.data.trim()) continue;
          const range = document.createRange();
          range.selectNodeContents(child);
          for (const rect of range.getClientRects()) grow(rect, element);
          continue;
        }
        if (child.nodeType !== Node.ELEMENT_NODE || child.matches(SKIP)) continue;
        const style = getComputedStyle(child);
        if (style.display === "none") continue;
        if (!inside) grow(child.getBoundingClientRect(), child);
        const clips = { x: style.overflowX !== "visible", y: style.overflowY !== "visible" };
        const hidden = {
          x: clips.x ? child.scrollWidth - child.clientWidth : 0,
          y: clips.y ? child.scrollHeight - child.clientHeight : 0,
        };
        for (const axis of ["x", "y"]) {
          if (hidden[axis] > 1) {
            problems.push({
              slide: address, cell: cellOf(child), kind: `clipped-${axis}`,
              px: Math.round(hidden[axis] * scale), part: partOf(child),
              lines: axis === "x" ? longLines(child) : [],
            });
          }
        }
        walk(child, inside || clips.x || clips.y);
      }
    };
    walk(slide, false);
    // where to split: the height of each cell on the slide
    const cells = [...slide.querySelectorAll(".jp-Cell")]
      .map((cell) => [cellOf(cell), Math.round(cell.getBoundingClientRect().height)]);
    for (const [kind, { px, cell }] of Object.entries(worst)) {
      problems.push({ slide: address, cell, kind, px: Math.round(px), cells });
    }
    return problems;
  };

  const problems = [];
  for (const slide of Reveal.getSlides()) {
    const address = await show(slide);
    problems.push(...measure(slide, address, Reveal.getScale()));
  }
  await show(Reveal.getSlides()[0]);
  return problems;
}
