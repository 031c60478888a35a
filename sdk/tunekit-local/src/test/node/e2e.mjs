// The official OpenAI Node SDK against a running tunekit-local server, end to end.
// Run by NodeSdkEndToEndTest: OPENAI_BASE_URL, OPENAI_API_KEY and TRAIN_FILE come from the environment.
// Every step asserts; the first failure exits 1. The last line says how many steps passed.
import OpenAI, { toFile } from 'openai';
import fs from 'node:fs';

const client = new OpenAI({
  baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 0, timeout: 30_000,
});
const trainPath = process.env.TRAIN_FILE;
const trainText = fs.readFileSync(trainPath, 'utf8');
let passed = 0;

async function step(name, fn) {
  try {
    await fn();
    passed++;
  } catch (e) {
    console.error(`step ${passed + 1} failed (${name}): ${e?.stack ?? e}`);
    console.log(`${passed} steps passed`);
    process.exit(1);
  }
}
function ok(cond, message) {
  if (!cond) throw new Error(message);
}
async function apiError(promise, status, check = () => {}) {
  try {
    await promise;
  } catch (e) {
    ok(e instanceof OpenAI.APIError, `expected an APIError, got ${e}`);
    ok(e.status === status, `expected HTTP ${status}, got ${e.status}: ${e.message}`);
    ok(typeof e.error?.message === 'string' && typeof e.error?.type === 'string', `not OpenAI's error shape: ${JSON.stringify(e.error)}`);
    check(e);
    return;
  }
  throw new Error(`expected HTTP ${status}, but the call succeeded`);
}
async function waitFor(jobId, statuses, ms = 60_000) {
  const end = Date.now() + ms;
  for (;;) {
    const job = await client.fineTuning.jobs.retrieve(jobId);
    if (statuses.includes(job.status)) return job;
    if (Date.now() > end) throw new Error(`job ${jobId} is ${job.status}, not ${statuses}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let fileId, uploadedFileId, jobId, job, tunedModel, checkpointModel;

await step('models.list has local-base', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  ok(ids.includes('local-base'), `models: ${ids}`);
});
await step('models.retrieve', async () => {
  const m = await client.models.retrieve('local-base');
  ok(m.id === 'local-base' && m.object === 'model', JSON.stringify(m));
});
await step('files.create', async () => {
  const f = await client.files.create({ file: fs.createReadStream(trainPath), purpose: 'fine-tune' });
  ok(f.object === 'file' && f.purpose === 'fine-tune', JSON.stringify(f));
  ok(f.bytes === Buffer.byteLength(trainText), `bytes ${f.bytes}`);
  fileId = f.id;
});
await step('files.retrieve', async () => {
  const f = await client.files.retrieve(fileId);
  ok(f.id === fileId && f.filename === 'train.jsonl', JSON.stringify(f));
});
await step('files.list by purpose', async () => {
  const ids = [];
  for await (const f of client.files.list({ purpose: 'fine-tune' })) ids.push(f.id);
  ok(ids.includes(fileId), `files: ${ids}`);
});
await step('files.content', async () => {
  const text = await (await client.files.content(fileId)).text();
  ok(text === trainText, 'the content differs from the uploaded file');
});
await step('uploads: create, two parts, complete', async () => {
  const bytes = Buffer.from(trainText, 'utf8');
  const upload = await client.uploads.create({
    bytes: bytes.length, filename: 'train-parts.jsonl', mime_type: 'application/jsonl', purpose: 'fine-tune',
  });
  ok(upload.status === 'pending' && upload.expires_at > upload.created_at, JSON.stringify(upload));
  const half = Math.floor(bytes.length / 2);
  const p1 = await client.uploads.parts.create(upload.id, { data: await toFile(bytes.subarray(0, half), 'p1') });
  const p2 = await client.uploads.parts.create(upload.id, { data: await toFile(bytes.subarray(half), 'p2') });
  ok(p1.object === 'upload.part' && p1.upload_id === upload.id, JSON.stringify(p1));
  const done = await client.uploads.complete(upload.id, { part_ids: [p1.id, p2.id] });
  ok(done.status === 'completed' && done.file?.bytes === bytes.length, JSON.stringify(done));
  uploadedFileId = done.file.id;
  const content = await (await client.files.content(uploadedFileId)).text();
  ok(content === trainText, 'the completed upload differs from its parts');
});
await step('uploads.cancel', async () => {
  const upload = await client.uploads.create({ bytes: 10, filename: 'x.jsonl', mime_type: 'application/jsonl', purpose: 'fine-tune' });
  const cancelled = await client.uploads.cancel(upload.id);
  ok(cancelled.status === 'cancelled', JSON.stringify(cancelled));
});
await step('fineTuning.jobs.create', async () => {
  job = await client.fineTuning.jobs.create({
    model: 'local-base', training_file: uploadedFileId, suffix: 'node', seed: 7, metadata: { sdk: 'node' },
  });
  ok(job.object === 'fine_tuning.job' && job.model === 'local-base' && job.seed === 7, JSON.stringify(job));
  jobId = job.id;
});
await step('fineTuning.jobs.retrieve', async () => {
  const j = await client.fineTuning.jobs.retrieve(jobId);
  ok(j.id === jobId && j.training_file === uploadedFileId, JSON.stringify(j));
});
await step('fineTuning.jobs.list with a metadata filter', async () => {
  const ids = [];
  for await (const j of client.fineTuning.jobs.list({ limit: 5, metadata: { sdk: 'node' } })) ids.push(j.id);
  ok(ids.length === 1 && ids[0] === jobId, `jobs: ${ids}`);
});
await step('the job succeeds', async () => {
  job = await waitFor(jobId, ['succeeded', 'failed', 'cancelled']);
  ok(job.status === 'succeeded', JSON.stringify(job.error));
  ok(job.fine_tuned_model?.includes(':node:'), job.fine_tuned_model);
  ok(job.trained_tokens > 0 && job.result_files.length === 1, JSON.stringify(job));
  tunedModel = job.fine_tuned_model;
});
await step('fineTuning.jobs.listEvents', async () => {
  const events = [];
  for await (const e of client.fineTuning.jobs.listEvents(jobId, { limit: 100 })) events.push(e);
  ok(events.length > 0 && events.every((e) => e.object === 'fine_tuning.job.event'), `${events.length} events`);
  ok(events.some((e) => e.type === 'metrics' && typeof e.data?.train_loss === 'number'), 'no metrics event');
});
await step('fineTuning.jobs.checkpoints.list', async () => {
  const cps = [];
  for await (const c of client.fineTuning.jobs.checkpoints.list(jobId)) cps.push(c);
  ok(cps.length > 0 && cps[0].fine_tuning_job_id === jobId && cps[0].metrics, JSON.stringify(cps[0]));
  checkpointModel = cps[0].fine_tuned_model_checkpoint;
});
await step('chat with the tuned model', async () => {
  const r = await client.chat.completions.create({
    model: tunedModel, messages: [{ role: 'user', content: 'How many orders were shipped last month?' }],
  });
  ok(r.object === 'chat.completion' && r.choices[0].message.role === 'assistant', JSON.stringify(r));
  ok(r.choices[0].message.content.length > 0 && r.usage.total_tokens > 0, JSON.stringify(r));
});
await step('chat with a checkpoint, n=2, max_tokens', async () => {
  const r = await client.chat.completions.create({
    model: checkpointModel, n: 2, max_tokens: 1, messages: [{ role: 'user', content: [{ type: 'text', text: 'List all customers.' }] }],
  });
  ok(r.choices.length === 2 && r.usage.completion_tokens <= 2, JSON.stringify(r));
});
await step('models.list has the tuned model', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  ok(ids.includes(tunedModel) && ids.includes(checkpointModel), `models: ${ids}`);
});
await step('pause, resume, cancel', async () => {
  const second = await client.fineTuning.jobs.create({ model: 'local-base', training_file: fileId });
  await waitFor(second.id, ['running']);
  const paused = await client.fineTuning.jobs.pause(second.id);
  ok(paused.status === 'paused', paused.status);
  const resumed = await client.fineTuning.jobs.resume(second.id);
  ok(['queued', 'running'].includes(resumed.status), resumed.status);
  const cancelled = await client.fineTuning.jobs.cancel(second.id);
  ok(cancelled.status === 'cancelled', cancelled.status);
});
await step('404: an unknown file', () => apiError(client.files.retrieve('file-doesnotexist'), 404));
await step('404: an unknown model', () => apiError(client.chat.completions.create({
  model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }],
}), 404, (e) => ok(e.code === 'model_not_found', e.code)));
await step('400: n_epochs 2.7', () => apiError(client.fineTuning.jobs.create({
  model: 'local-base', training_file: fileId, hyperparameters: { n_epochs: 2.7 },
}), 400, (e) => ok(e.param === 'hyperparameters.n_epochs', e.param)));
await step('400: a chat role wizard', () => apiError(client.chat.completions.create({
  model: 'local-base', messages: [{ role: 'wizard', content: 'hi' }],
}), 400, (e) => ok(e.param === 'messages[0].role', e.param)));
await step('401: a wrong API key', () => apiError(
  new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: 'wrong', maxRetries: 0 }).models.list(), 401,
  (e) => ok(e.code === 'invalid_api_key', e.code)));
await step('models.delete the tuned model', async () => {
  const d = await client.models.delete(tunedModel);
  ok(d.deleted === true && d.id === tunedModel, JSON.stringify(d));
});
await step('files.delete, then 404', async () => {
  const d = await client.files.delete(fileId);
  ok(d.deleted === true && d.id === fileId, JSON.stringify(d));
  await apiError(client.files.retrieve(fileId), 404);
});

console.log(`${passed} steps passed`);
