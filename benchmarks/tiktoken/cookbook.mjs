// The peer of `jshell-scripts/tunekit validate.jsh`: OpenAI's cookbook "Data preparation and analysis for chat
// model fine-tuning", ported to Node with the official tiktoken (npm, WASM). It runs the cookbook's format
// checks, counts each example with num_tokens_from_messages and num_assistant_tokens_from_messages, prints the
// distributions, the examples over the token limit and the billing estimate — what the cookbook prints.
//
// Two deliberate differences, both in the peer's favour or needed for a fair comparison:
// - it streams the file line by line (the cookbook loads the whole dataset into memory first);
// - strings are encoded with encode_ordinary, as Tunekit counts them (the cookbook's encode() throws on text
//   that looks like a special token); every string value of a message is counted, as in the cookbook.
// The last line is machine-readable: "TOTAL <tokens> <assistant tokens> <examples>".
//
// Usage: NODE_PATH=<node_modules with tiktoken> node cookbook.mjs file.jsonl [o200k_base]
import { createRequire } from "module";
import { createReadStream } from "fs";
import { createInterface } from "readline";
const require = createRequire(import.meta.url);
const { get_encoding } = require("tiktoken");

const [file, encodingName] = process.argv.slice(2);
const encoding = get_encoding(encodingName || "o200k_base");
const MAX_TOKENS_PER_EXAMPLE = 16385;
const TARGET_EPOCHS = 3, MIN_TARGET_EXAMPLES = 100, MAX_TARGET_EXAMPLES = 25000, MIN_DEFAULT_EPOCHS = 1,
  MAX_DEFAULT_EPOCHS = 25;

function numTokensFromMessages(messages, tokensPerMessage = 3, tokensPerName = 1) {
  let n = 0;
  for (const message of messages) {
    n += tokensPerMessage;
    for (const [key, value] of Object.entries(message)) {
      if (typeof value !== "string") continue;
      n += encoding.encode_ordinary(value).length;
      if (key === "name") n += tokensPerName;
    }
  }
  return n + 3;
}

function numAssistantTokensFromMessages(messages) {
  let n = 0;
  for (const message of messages) {
    if (message.role === "assistant" && message.weight !== 0 && typeof message.content === "string") {
      n += encoding.encode_ordinary(message.content).length;
    }
  }
  return n;
}

const formatErrors = {};
const err = (k) => { formatErrors[k] = (formatErrors[k] || 0) + 1; };
let nMissingSystem = 0, nMissingUser = 0, examples = 0;
const nMessages = [], convoLens = [], assistantMessageLens = [];

const rl = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  const ex = JSON.parse(line);
  examples++;
  // Format error checks
  if (typeof ex !== "object" || ex === null || Array.isArray(ex)) { err("data_type"); continue; }
  const messages = ex.messages;
  if (!Array.isArray(messages) || messages.length === 0) { err("missing_messages_list"); continue; }
  for (const message of messages) {
    if (!("role" in message) || !("content" in message)) err("message_missing_key");
    if (Object.keys(message).some((k) => !["role", "content", "name", "function_call", "weight"].includes(k))) {
      err("message_unrecognized_key");
    }
    if (!["system", "user", "assistant", "function"].includes(message.role)) err("unrecognized_role");
    const content = message.content, functionCall = message.function_call;
    if ((!content && !functionCall) || typeof content !== "string") err("missing_content");
  }
  if (!messages.some((m) => m.role === "assistant")) err("example_missing_assistant_message");
  // Data warnings and token counts
  if (!messages.some((m) => m.role === "system")) nMissingSystem++;
  if (!messages.some((m) => m.role === "user")) nMissingUser++;
  nMessages.push(messages.length);
  convoLens.push(numTokensFromMessages(messages));
  assistantMessageLens.push(numAssistantTokensFromMessages(messages));
}
encoding.free();

function printDistribution(values, name) {
  const sorted = Float64Array.from(values).sort();
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  console.log(`\n#### Distribution of ${name}:`);
  console.log(`min / max: ${sorted[0]}, ${sorted[sorted.length - 1]}`);
  console.log(`mean / median: ${mean}, ${q(0.5)}`);
  console.log(`p5 / p95: ${q(0.05)}, ${q(0.95)}`);
}

console.log(Object.keys(formatErrors).length ? "Found errors:" : "No errors found");
for (const [k, v] of Object.entries(formatErrors)) console.log(`${k}: ${v}`);
console.log("Num examples missing system message:", nMissingSystem);
console.log("Num examples missing user message:", nMissingUser);
printDistribution(nMessages, "num_messages_per_example");
printDistribution(convoLens, "num_total_tokens_per_example");
printDistribution(assistantMessageLens, "num_assistant_tokens_per_example");
const nTooLong = convoLens.filter((l) => l > MAX_TOKENS_PER_EXAMPLE).length;
console.log(`\n${nTooLong} examples may be over the ${MAX_TOKENS_PER_EXAMPLE} token limit, they will be truncated during fine-tuning`);
let nEpochs = TARGET_EPOCHS;
const nTrain = convoLens.length;
if (nTrain * TARGET_EPOCHS < MIN_TARGET_EXAMPLES) nEpochs = Math.min(MAX_DEFAULT_EPOCHS, Math.floor(MIN_TARGET_EXAMPLES / nTrain));
else if (nTrain * TARGET_EPOCHS > MAX_TARGET_EXAMPLES) nEpochs = Math.max(MIN_DEFAULT_EPOCHS, Math.floor(MAX_TARGET_EXAMPLES / nTrain));
const billing = convoLens.reduce((a, l) => a + Math.min(MAX_TOKENS_PER_EXAMPLE, l), 0);
console.log(`Dataset has ~${billing} tokens that will be charged for during training`);
console.log(`By default, you'll train for ${nEpochs} epochs on this dataset`);
console.log(`By default, you'll be charged for ~${nEpochs * billing} tokens`);
const total = convoLens.reduce((a, b) => a + b, 0);
const assistant = assistantMessageLens.reduce((a, b) => a + b, 0);
console.log(`TOTAL ${total} ${assistant} ${examples}`);
