// Streams a chat JSONL file and prints "<total tokens> <assistant tokens>" counted by tiktoken (npm, the
// official WASM build) with OpenAI's cookbook accounting: 3 per message, every string value encoded
// (encode_ordinary), +1 per name, +3 reply priming per example; assistant tokens = assistant contents.
// Usage: NODE_PATH=<node_modules with tiktoken> node count.mjs file.jsonl o200k_base
import { createRequire } from "module";
import { createReadStream } from "fs";
import { createInterface } from "readline";
const require = createRequire(import.meta.url);
const { get_encoding } = require("tiktoken");

const [file, encodingName] = process.argv.slice(2);
const enc = get_encoding(encodingName || "o200k_base");
const cache = new Map();
const count = (s) => {
  if (s.length >= 64) {
    let n = cache.get(s);
    if (n === undefined) { n = enc.encode_ordinary(s).length; if (cache.size < 1000) cache.set(s, n); }
    return n;
  }
  return enc.encode_ordinary(s).length;
};
let total = 0, assistant = 0;
const rl = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  const ex = JSON.parse(line);
  let n = 3;
  for (const m of ex.messages) {
    n += 3;
    for (const [k, v] of Object.entries(m)) {
      if (typeof v !== "string") continue;
      n += count(v);
      if (k === "name") n += 1;
    }
    if (m.role === "assistant" && m.weight !== 0 && typeof m.content === "string") assistant += count(m.content);
  }
  total += n;
}
enc.free();
console.log(total + " " + assistant);
