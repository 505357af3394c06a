// Runs the page script's search (static/search.js, unchanged) under node against a built index:
//   node tests/js/query.js <index folder> <query>...   → one JSON line per query
//   node tests/js/query.js --tokens <stem: 0|1>         → tokens of each stdin line, as JSON lines
"use strict";
const fs = require("fs");
const path = require("path");
const search = require(path.join(__dirname, "..", "..", "static", "search.js"));

const args = process.argv.slice(2);
if (args[0] === "--tokens") {
  const stem = args[1] === "1";
  const lines = fs.readFileSync(0, "utf8").split("\n").filter((l) => l.length);
  for (const line of lines) { console.log(JSON.stringify(search.tokens(line, stem))); }
} else {
  const dir = args[0];
  const loaded = [];
  const index = new search.Index((name) => {
    loaded.push(name);
    return fs.promises.readFile(path.join(dir, name), "utf8");
  });
  (async () => {
    for (const query of args.slice(1)) {
      loaded.length = 0;
      const found = await index.search(query);
      const results = [];
      for (const r of found.results) {
        results.push({ title: r.title, url: r.url, score: r.score,
          snippet: search.highlight(r.text.replace(/\s+/g, " "), found.marks, 160).html,
          title_html: search.highlight(r.title, found.marks).html });
      }
      console.log(JSON.stringify({ query, results, files: loaded.slice() }));
    }
  })().catch((e) => { console.error(e); process.exit(1); });
}
