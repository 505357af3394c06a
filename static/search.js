// Henan Stories search: queries the static index under /<lang>/search/index/ (written by
// `henan-stories build`, see src/search.rs) in the browser. The tokenizer repeats the Rust one
// rule for rule; tests run this same file under node against built indexes.
(function (root) {
  "use strict";

  var FORMAT_VERSION = 3;
  var WORD = /[\p{Alphabetic}\p{N}]/u;
  var MAX_RESULTS = 20;
  // A phrase query checks its best candidates' texts; it stops after this many.
  var MAX_CHECKS = 100;

  function isCjk(c) {
    var n = c.codePointAt(0);
    return (n >= 0x3040 && n <= 0x30ff) || (n >= 0x3400 && n <= 0x4dbf) ||
      (n >= 0x4e00 && n <= 0x9fff) || (n >= 0xac00 && n <= 0xd7af) ||
      (n >= 0xf900 && n <= 0xfaff) || (n >= 0x20000 && n <= 0x2fa1f);
  }

  // Porter's consonant, measure, and step 1 (see `stem` in src/search.rs).
  function isConsonant(w, i) {
    var c = w[i];
    if ("aeiou".indexOf(c) >= 0) { return false; }
    if (c === "y") { return i === 0 || !isConsonant(w, i - 1); }
    return true;
  }
  function measure(w) {
    var m = 0, inVowels = false;
    for (var i = 0; i < w.length; i++) {
      var consonant = isConsonant(w, i);
      if (consonant && inVowels) { m++; }
      inVowels = !consonant;
    }
    return m;
  }
  function hasVowel(w) {
    for (var i = 0; i < w.length; i++) { if (!isConsonant(w, i)) { return true; } }
    return false;
  }
  function endsDoubleConsonant(w) {
    var n = w.length;
    return n >= 2 && w[n - 1] === w[n - 2] && isConsonant(w, n - 1);
  }
  function endsCvc(w) {
    var n = w.length;
    return n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) &&
      isConsonant(w, n - 1) && "wxy".indexOf(w[n - 1]) < 0;
  }
  function ends(w, s) { return w.length >= s.length && w.slice(-s.length) === s; }

  function stem(word) {
    if (word.length <= 2 || !/^[a-z]+$/.test(word)) { return word; }
    var w = word;
    if (ends(w, "sses") || ends(w, "ies")) { w = w.slice(0, -2); }
    else if (ends(w, "s") && !ends(w, "ss")) { w = w.slice(0, -1); }
    if (ends(w, "eed")) {
      if (measure(w.slice(0, -3)) > 0) { w = w.slice(0, -1); }
    } else {
      var suffix = ["ed", "ing"].filter(function (s) {
        return ends(w, s) && hasVowel(w.slice(0, -s.length));
      })[0];
      if (suffix) {
        w = w.slice(0, -suffix.length);
        if (ends(w, "at") || ends(w, "bl") || ends(w, "iz")) { w += "e"; }
        else if (endsDoubleConsonant(w) && "lsz".indexOf(w[w.length - 1]) < 0) { w = w.slice(0, -1); }
        else if (measure(w) === 1 && endsCvc(w)) { w += "e"; }
      }
    }
    if (ends(w, "y") && hasVowel(w.slice(0, -1))) { w = w.slice(0, -1) + "i"; }
    return w;
  }

  // Splits text into runs: {cjk: true, text} for CJK characters, {cjk: false, text} for words.
  function runs(text) {
    var out = [], word = "", cjk = "";
    var chars = Array.from(text.toLowerCase());
    chars.push(" ");
    chars.forEach(function (c) {
      if (isCjk(c)) {
        if (word) { out.push({ cjk: false, text: word }); word = ""; }
        cjk += c;
      } else {
        if (cjk) { out.push({ cjk: true, text: cjk }); cjk = ""; }
        if (WORD.test(c)) { word += c; } else if (word) { out.push({ cjk: false, text: word }); word = ""; }
      }
    });
    return out;
  }

  function bigrams(run) {
    var chars = Array.from(run);
    if (chars.length === 1) { return chars; }
    var out = [];
    for (var i = 0; i + 1 < chars.length; i++) { out.push(chars[i] + chars[i + 1]); }
    return out;
  }

  // The tokens of a text, exactly as the index builder makes them.
  function tokens(text, stemWords) {
    var out = [];
    runs(text).forEach(function (r) {
      if (r.cjk) { out.push.apply(out, bigrams(r.text)); }
      else if (Array.from(r.text).length > 1) { out.push(stemWords ? stem(r.text) : r.text); }
    });
    return out;
  }

  // What a query asks for: terms that must all match, and phrases that must be found in order
  // in one of a document's texts: every CJK run of three or more characters, and every quoted
  // ("...") part. A lone CJK character and the word being typed (no space after it yet, not in
  // quotes) match as prefixes; `marks` say what to highlight.
  function parseQuery(query, stemWords) {
    var terms = [], marks = [], phrases = [];
    var typing = !/\s$/.test(query);
    var parts = query.split('"');
    parts.forEach(function (part, p) {
      var quoted = p % 2 === 1;
      var list = runs(part);
      list.forEach(function (r, i) {
        var last = typing && !quoted && p === parts.length - 1 && i === list.length - 1;
        if (r.cjk) {
          marks.push({ cjk: true, text: r.text });
          var grams = bigrams(r.text);
          var length = Array.from(r.text).length;
          grams.forEach(function (g) { terms.push({ keys: [g], prefix: length === 1 }); });
          if (length >= 3) { phrases.push({ text: r.text }); }
        } else if (Array.from(r.text).length > 1 || last) {
          var s = stemWords ? stem(r.text) : r.text;
          // While typing, the unstemmed word may be the start of a longer one: `visi` → `visit`.
          var term = { keys: last && s !== r.text ? [s, r.text] : [s], prefix: last };
          terms.push(term);
          marks.push({ cjk: false, keys: term.keys, prefix: last, stem: stemWords });
        }
      });
      var words = quoted ? tokens(part, stemWords) : [];
      if (words.length > 1) { phrases.push({ tokens: words }); }
    });
    return { terms: terms, marks: marks, phrases: phrases };
  }

  // Whether `list` holds `seq` as a run of consecutive items.
  function holdsRun(list, seq) {
    for (var i = 0; i + seq.length <= list.length; i++) {
      var j = 0;
      while (j < seq.length && list[i + j] === seq[j]) { j++; }
      if (j === seq.length) { return true; }
    }
    return false;
  }

  // Whether a document holds every phrase in one of its texts (title, summary, body, other
  // names): the index only says that it holds their tokens.
  function holdsPhrases(doc, phrases, stemWords) {
    var texts = [doc.title, doc.summary, doc.text].concat(doc.also);
    return phrases.every(function (ph) {
      return texts.some(function (t) {
        return ph.text ? t.toLowerCase().indexOf(ph.text) >= 0 : holdsRun(tokens(t, stemWords), ph.tokens);
      });
    });
  }

  // Whether an index token (or a word of the text, stemmed and not) is what a term asks for.
  function keyMatches(term, token, word) {
    return term.keys.some(function (k) {
      return token === k || (term.prefix && (token.slice(0, k.length) === k || word.slice(0, k.length) === k));
    });
  }

  function isAsciiAlnum(c) { return /^[a-z0-9]$/.test(c); }

  // The shard file holding a token (see `Scheme` in src/search.rs); for a prefix, every shard
  // that may hold tokens starting with it.
  function shardsFor(meta, key, prefix) {
    var first = Array.from(key)[0];
    if (!isAsciiAlnum(first)) { return ["_" + (first.codePointAt(0) % meta.buckets)]; }
    if (key.length >= meta.prefix) { return [key.slice(0, meta.prefix)]; }
    if (!prefix) { return [key]; }
    return meta.shards.filter(function (s) { return s.slice(0, key.length) === key; });
  }

  // The file of a token's list of its own (see `own_file` in src/search.rs).
  function ownFile(token) {
    var hex = "";
    new TextEncoder().encode(token).forEach(function (b) { hex += (b < 16 ? "0" : "") + b.toString(16); });
    return "t/" + hex + ".json";
  }

  // A search over one language's index; `load(path)` returns a promise of the file's text,
  // `path` relative to the index folder.
  function Index(load) {
    this.load = load;
    this.cache = {};
  }

  // A file's parsed JSON, fetched once.
  Index.prototype.file = function (name) {
    if (!this.cache[name]) {
      var self = this;
      this.cache[name] = this.load(name).then(JSON.parse)
        .catch(function (e) { delete self.cache[name]; throw e; });
    }
    return this.cache[name];
  };

  Index.prototype.meta = function () {
    return this.file("meta.json").then(function (meta) {
      if (meta.version !== FORMAT_VERSION) { throw new Error("search index format " + meta.version); }
      return meta;
    });
  };

  Index.prototype.shard = function (meta, name) {
    if (meta.shards.indexOf(name) < 0) { return Promise.resolve({}); }
    return this.file(name + ".json");
  };

  // Document `n`: {title, url, summary, text, also}, from the file holding it.
  Index.prototype.doc = function (meta, n) {
    return this.file("doc/" + Math.floor(n / meta.chunk) + ".json")
      .then(function (docs) { return docs[n % meta.chunk]; });
  };

  // Resolves to {marks, results: [{doc, title, url, summary, text, score}]}, best first.
  Index.prototype.search = function (query) {
    var self = this;
    return this.meta().then(function (meta) {
      var q = parseQuery(query, meta.stem);
      if (!q.terms.length) { return { marks: [], results: [] }; }
      return Promise.all(q.terms.map(function (term) { return self.term(meta, term); }))
        .then(function (scores) {
          var total = scores[0];
          var ranked = Object.keys(total).filter(function (d) {
            return scores.every(function (s) { return d in s; });
          }).map(function (d) {
            var score = scores.reduce(function (sum, s) { return sum + s[d]; }, 0);
            return { doc: Number(d), score: score };
          });
          ranked.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
          return self.shown(meta, q, ranked);
        });
    });
  };

  // The best `MAX_RESULTS` of the ranked candidates that hold the query's phrases, with their
  // documents: fetched a batch at a time, in rank order, only as many as needed.
  Index.prototype.shown = function (meta, q, ranked) {
    var self = this, results = [], next = 0;
    var limit = q.phrases.length ? MAX_CHECKS : MAX_RESULTS;
    function batch() {
      var want = Math.min(MAX_RESULTS - results.length, limit - next);
      var take = ranked.slice(next, next + Math.max(want, 0));
      next += take.length;
      if (!take.length) { return { marks: q.marks, results: results }; }
      return Promise.all(take.map(function (r) { return self.doc(meta, r.doc); })).then(function (docs) {
        docs.forEach(function (d, i) {
          if (!q.phrases.length || holdsPhrases(d, q.phrases, meta.stem)) {
            results.push({ doc: take[i].doc, score: take[i].score, title: d.title, url: d.url,
              summary: d.summary, text: d.text, lang: d.lang });
          }
        });
        return batch();
      });
    }
    return batch();
  };

  // doc → score for one term: the best-scoring matching token of each document.
  Index.prototype.term = function (meta, term) {
    var self = this;
    var names = [];
    term.keys.forEach(function (k) {
      shardsFor(meta, k, term.prefix).forEach(function (n) { if (names.indexOf(n) < 0) { names.push(n); } });
    });
    return Promise.all(names.map(function (n) { return self.shard(meta, n); })).then(function (shards) {
      var lists = [];
      shards.forEach(function (shard) {
        Object.keys(shard).forEach(function (token) {
          if (!keyMatches(term, token, token)) { return; }
          // "t": a common token's list is in a file of its own.
          lists.push(shard[token] === "t" ? self.file(ownFile(token)) : shard[token]);
        });
      });
      return Promise.all(lists);
    }).then(function (lists) {
      var scores = {};
      lists.forEach(function (list) {
        // [doc, score, gap, score, ...]: document numbers after the first as gaps.
        var doc = 0;
        for (var i = 0; i < list.length; i += 2) {
          doc += list[i];
          scores[doc] = Math.max(scores[doc] || 0, list[i + 1]);
        }
      });
      return scores;
    });
  };

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // Ranges [start, end) of `text` to highlight: CJK marks where they occur, and whole words
  // that the query's words match as the index would (`anniversaries` marks `anniversary`).
  function matches(text, marks) {
    var lower = text.toLowerCase(), out = [];
    marks.forEach(function (m) {
      if (m.cjk) {
        var from = 0, at;
        while ((at = lower.indexOf(m.text, from)) >= 0) {
          out.push([at, at + m.text.length]);
          from = at + m.text.length;
        }
        return;
      }
      var words = /[\p{Alphabetic}\p{N}]+/gu, w;
      while ((w = words.exec(lower))) {
        var word = w[0];
        if (keyMatches(m, m.stem ? stem(word) : word, word)) { out.push([w.index, w.index + word.length]); }
      }
    });
    out.sort(function (a, b) { return a[0] - b[0]; });
    return out;
  }

  // HTML of `text` with the marks in <mark>; with `width`, a window of about that many
  // characters around the first match (or the start when nothing matches).
  function highlight(text, marks, width) {
    var found = matches(text, marks);
    var start = 0, end = text.length;
    if (width && text.length > width) {
      start = found.length ? Math.max(0, found[0][0] - Math.floor(width / 3)) : 0;
      // Start at a word boundary where there is one close by (Chinese has none to find).
      var space = text.slice(start, start + 20).search(/\s/);
      if (start > 0 && space >= 0 && start + space < found[0][0]) { start += space + 1; }
      end = Math.min(text.length, start + width);
    }
    var html = start > 0 ? "…" : "", at = start;
    found.forEach(function (r) {
      if (r[0] < at || r[1] > end) { return; }
      html += escapeHtml(text.slice(at, r[0])) + "<mark>" + escapeHtml(text.slice(r[0], r[1])) + "</mark>";
      at = r[1];
    });
    html += escapeHtml(text.slice(at, end)) + (end < text.length ? "…" : "");
    return { html: html, matched: found.length > 0 };
  }

  var api = { tokens: tokens, stem: stem, parseQuery: parseQuery, Index: Index, highlight: highlight };
  if (typeof module === "object" && module.exports) { module.exports = api; return; }

  // ---- The search page ----
  var box = root.document && root.document.getElementById("search");
  if (!box) { return; }
  var form = box.querySelector("form");
  var input = form.querySelector("input[type=search]");
  var status = box.querySelector("[role=status]");
  var list = box.querySelector(".search-results");
  var index = new Index(function (name) {
    return fetch(box.dataset.index + name).then(function (r) {
      if (!r.ok) { throw new Error(r.status + " " + name); }
      return r.text();
    });
  });
  var current = 0;

  function say(template, n) { status.textContent = template.replace("{n}", String(n)); }

  function render(query, found) {
    list.textContent = "";
    found.results.forEach(function (r) {
      var li = root.document.createElement("li");
      li.className = "search-result";
      var a = root.document.createElement("a");
      a.href = r.url;
      a.innerHTML = highlight(r.title, found.marks).html;
      var p = root.document.createElement("p");
      p.className = "search-snippet";
      // The body's first match, or the summary when the body has none.
      var body = highlight(r.text.replace(/\s+/g, " "), found.marks, 160);
      p.innerHTML = body.matched ? body.html : highlight(r.summary, found.marks, 160).html;
      li.appendChild(a);
      if (r.lang) {
        // A page shown in another language: its title in that language, and a badge naming it.
        a.lang = r.lang[0];
        var badge = root.document.createElement("span");
        badge.className = "lang-badge";
        badge.lang = r.lang[0];
        badge.textContent = r.lang[1];
        li.appendChild(root.document.createTextNode(" "));
        li.appendChild(badge);
      }
      li.appendChild(p);
      list.appendChild(li);
    });
    if (!query.trim()) { status.textContent = ""; }
    else if (found.results.length) { say(box.dataset.count, found.results.length); }
    else { say(box.dataset.none, 0); }
  }

  function run() {
    var query = input.value;
    var ticket = ++current;
    var url = new URL(root.location.href);
    if (query.trim()) { url.searchParams.set("q", query); } else { url.searchParams.delete("q"); }
    root.history.replaceState(null, "", url);
    index.search(query).then(function (found) {
      if (ticket === current) { render(query, found); }
    }, function () {
      if (ticket === current) { say(box.dataset.failed, 0); }
    });
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
  input.addEventListener("input", run);
  // Arrow keys move between the search box and the result links.
  box.addEventListener("keydown", function (e) {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") { return; }
    var links = Array.prototype.slice.call(list.querySelectorAll("a"));
    var at = links.indexOf(root.document.activeElement);
    var next = e.key === "ArrowDown" ? at + 1 : at - 1;
    if (next >= links.length) { return; }
    e.preventDefault();
    (next < 0 ? input : links[next]).focus();
  });
  var given = new URL(root.location.href).searchParams.get("q");
  if (given) { input.value = given; run(); }
})(typeof window === "undefined" ? this : window);
