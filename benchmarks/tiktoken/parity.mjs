// Produces tiktoken's token counts for the parity fixture used by ChatTokensParityTest.
// tiktoken (npm, the official WASM build of OpenAI's tiktoken) is the reference; this script is not
// part of the Maven build. Usage (from a scratch dir with `npm install tiktoken`):
//   TIKTOKEN_VERSION=<version> NODE_PATH=/tmp/tt/node_modules node parity.mjs > ../../sdk/tunekit-core/src/test/resources/dev/tunekit/dataset/tiktoken-parity.json
import { createRequire } from "module";
const require = createRequire(import.meta.url);
const { get_encoding } = require("tiktoken");

const strings = [
  "",
  "Hello, world!",
  "You are a helpful assistant that answers in JSON.",
  "   leading and trailing spaces   ",
  "tabs\tand\nnewlines\r\nand\n\n\nblank lines",
  "                                                                                ",
  "a".repeat(1000),
  "日本語のテキストとカタカナ、ひらがな、漢字。",
  "中文：你好，世界！这是一个测试。",
  "한국어 텍스트입니다.",
  "Ελληνικά και кириллица и العربية و עברית",
  "emoji: 😀😃😄😁 👩‍👩‍👧‍👦 🇫🇷 ✔️",
  "{\"query\": \"SELECT * FROM orders WHERE total > 100\", \"limit\": 10, \"ok\": true}",
  "{\"a\":[1,2,3],\"b\":{\"c\":null,\"d\":\"é\"}}",
  "Numbers 1234567890 3.14159 -42 1e10 0x1F",
  "Special token text <|endoftext|> and <|im_start|> stays ordinary",
  "Ünïcödé àccents: crème brûlée, naïve façade, São Paulo, Zürich",
  "code: for (int i = 0; i < n; i++) { sum += a[i]; }\n    return sum;",
  "URL https://example.com/path?query=1&x=%20y#frag and email a.b@c.de",
  "Mixed 混合 text with English and 日本語 and emoji 🎉 in one line."
];

const chats = [
  { messages: [
      { role: "system", content: "You are a helpful assistant that answers in JSON." },
      { role: "user", content: "Find orders over 100 dollars." },
      { role: "assistant", content: "{\"query\": \"SELECT * FROM orders WHERE total > 100\"}" } ] },
  { messages: [
      { role: "system", content: "Réponds en français." },
      { role: "user", name: "alice", content: "Quelle heure est-il à Tōkyō ? 🕒" },
      { role: "assistant", content: "Il est 15 h à Tokyo." },
      { role: "user", content: "日本語で答えてください。" },
      { role: "assistant", content: "今は午後三時です。" } ] }
];

function chatTokens(enc, messages) {
  let n = 0;
  for (const m of messages) {
    n += 3;
    for (const [k, v] of Object.entries(m)) {
      n += enc.encode_ordinary(v).length;
      if (k === "name") n += 1;
    }
  }
  return n + 3;
}

const out = { producedBy: "tiktoken (npm) " + (process.env.TIKTOKEN_VERSION || "?") + ", encode_ordinary; chat per OpenAI cookbook num_tokens_from_messages", strings, chats };
for (const name of ["o200k_base", "cl100k_base"]) {
  const enc = get_encoding(name);
  out[name] = { strings: strings.map(s => enc.encode_ordinary(s).length), chats: chats.map(c => chatTokens(enc, c.messages)) };
  enc.free();
}
console.log(JSON.stringify(out, null, 1));
