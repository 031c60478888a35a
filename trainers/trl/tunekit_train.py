#!/usr/bin/env python3
"""Tunekit's LoRA/QLoRA trainer on Hugging Face TRL (SFT and DPO).

Reads Tunekit's neutral JSONL (chat for --method sft, preference pairs for --method dpo), trains a
LoRA adapter (4-bit QLoRA with --quantization 4bit) and writes checkpoints and the final adapter to
--output-dir. The command line, the output lines and the exit codes are a contract shared with the
Java side and the docs: see README.md beside this file.

Standard output carries only JSON objects, one per line, each with a "tunekit" key:
  {"tunekit":"metric","step":N,"epoch":E,"train_loss":L,"valid_loss":V,...}
  {"tunekit":"checkpoint","step":N,"path":DIR}
  {"tunekit":"model","path":DIR}
  {"tunekit":"event","level":"info|warn","message":TEXT}
  {"tunekit":"dry_run","ok":true,...}
Standard error carries the reason of a failure, one line per problem, each starting with
"tunekit_train: error: ". Exit codes: 0 done, 1 training failed, 2 bad arguments or dataset,
3 a required Python package is missing.

--dry-run checks the arguments and every line of the datasets and exits; it imports nothing beyond
the standard library and downloads nothing. torch, transformers, peft and trl are imported only
after that branch.
"""

import argparse
import json
import math
import os
import sys

PROG = "tunekit_train"
EXIT_TRAINING_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_MISSING_PACKAGE = 3
MAX_REPORTED_ERRORS = 20
# Default learning rates (what --learning-rate-multiplier scales): common LoRA settings.
DEFAULT_LEARNING_RATE = {"sft": 2e-4, "dpo": 5e-6}
CHAT_ROLES = ("system", "user", "assistant")
UNSUPPORTED_ROLES = ("tool", "function")


class InputError(Exception):
    """Bad arguments or a bad dataset: exit 2 with the messages, no stack trace."""

    def __init__(self, messages):
        super().__init__(messages[0])
        self.messages = messages


def emit(kind, **fields):
    """Prints one machine-readable line on standard output."""
    line = {"tunekit": kind}
    for key, value in fields.items():
        if isinstance(value, float) and not math.isfinite(value):
            continue
        if value is not None:
            line[key] = value
    print(json.dumps(line, ensure_ascii=False, separators=(",", ":")), flush=True)


def fail(messages, code):
    for message in messages[:MAX_REPORTED_ERRORS]:
        print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)
    if len(messages) > MAX_REPORTED_ERRORS:
        print(f"{PROG}: error: ... and {len(messages) - MAX_REPORTED_ERRORS} more problems", file=sys.stderr)
    sys.exit(code)


# ------------------------------------------------------------------------------------------ arguments


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage block
        fail([f"{message}; run with --help for the options"], EXIT_BAD_INPUT)


def _env(name):
    """A TUNEKIT_* variable as tunekit-local's command trainer sets it; 'auto' and '' mean unset."""
    value = os.environ.get(name, "")
    return None if value in ("", "auto") else value


def parse_args(argv):
    p = _Parser(prog=PROG, description="Train a LoRA adapter with TRL on Tunekit's JSONL. Unset options "
                "fall back to the TUNEKIT_* environment that tunekit-local's command trainer sets.")
    p.add_argument("--base-model", default=_env("TUNEKIT_BASE_MODEL"),
                   help="Hugging Face model id or local directory (env TUNEKIT_BASE_MODEL)")
    p.add_argument("--train-file", default=_env("TUNEKIT_TRAINING_FILE"), help="env TUNEKIT_TRAINING_FILE")
    p.add_argument("--validation-file", default=_env("TUNEKIT_VALIDATION_FILE"),
                   help="optional (env TUNEKIT_VALIDATION_FILE)")
    p.add_argument("--output-dir", default=_env("TUNEKIT_OUTPUT_DIR"), help="env TUNEKIT_OUTPUT_DIR")
    p.add_argument("--method", default="sft", help="sft (chat JSONL) or dpo (preference JSONL)")
    p.add_argument("--epochs", default=_env("TUNEKIT_N_EPOCHS") or "3", help="1 to 50 (default 3)")
    p.add_argument("--learning-rate", default=None, help="absolute learning rate, 0 < lr < 1")
    p.add_argument("--learning-rate-multiplier", default=_env("TUNEKIT_LEARNING_RATE_MULTIPLIER"),
                   help="scales the default learning rate (2e-4 for sft, 5e-6 for dpo); "
                        "not with --learning-rate")
    p.add_argument("--batch-size", default=_env("TUNEKIT_BATCH_SIZE") or "4", help="per device, 1 to 1024")
    p.add_argument("--lora-r", default="16", help="LoRA rank, 1 to 1024 (default 16)")
    p.add_argument("--lora-alpha", default="32", help="LoRA alpha, > 0 (default 32)")
    p.add_argument("--lora-dropout", default="0.05", help="0 <= dropout < 1 (default 0.05)")
    p.add_argument("--max-length", default="2048", help="tokens per example, 16 to 1048576 (default 2048)")
    p.add_argument("--quantization", default="none", help="none (LoRA) or 4bit (QLoRA, needs bitsandbytes)")
    p.add_argument("--seed", default=_env("TUNEKIT_SEED") or "42", help="0 to 4294967295 (default 42)")
    p.add_argument("--logging-steps", default="10", help="a metric line every N steps (default 10)")
    p.add_argument("--extra", action="append", default=[], metavar="KEY=JSON",
                   help="passed through: a field of TRL's SFTConfig/DPOConfig, or peft.FIELD for LoraConfig; "
                        "the value is JSON (plain text if it does not parse); repeatable")
    p.add_argument("--dry-run", action="store_true",
                   help="check arguments and datasets, import no ML library, download nothing, exit")
    return p.parse_args(argv)


def _number(errors, args, name, kind, low, high, low_open=False, high_open=False):
    raw = getattr(args, name)
    flag = "--" + name.replace("_", "-")
    if raw is None:
        return None
    try:
        value = int(raw) if kind is int else float(raw)
    except ValueError:
        errors.append(f"{flag} must be {'an integer' if kind is int else 'a number'}, was '{raw}'")
        return None
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if not math.isfinite(value) or too_low or too_high:
        lo = f"{'>' if low_open else '>='} {low}"
        hi = f"{'<' if high_open else '<='} {high}"
        errors.append(f"{flag} must be {lo} and {hi}, was {raw}; pick a value in that range")
        return None
    return value


def check_args(args):
    """Returns the resolved settings, or raises InputError with every problem found."""
    errors = []
    s = {}
    for name in ("base_model", "train_file", "output_dir"):
        if not getattr(args, name):
            env = {"base_model": "TUNEKIT_BASE_MODEL", "train_file": "TUNEKIT_TRAINING_FILE",
                   "output_dir": "TUNEKIT_OUTPUT_DIR"}[name]
            errors.append(f"--{name.replace('_', '-')} is required (or set {env})")
    if args.base_model == "local-base":
        errors.append("--base-model is local-base, tunekit-local's stand-in model, which has no weights to tune; "
                      "name a Hugging Face model or directory, such as --base-model Qwen/Qwen2.5-0.5B-Instruct")
    if args.method not in ("sft", "dpo"):
        errors.append(f"--method must be sft or dpo, was '{args.method}'")
    if args.quantization not in ("none", "4bit"):
        errors.append(f"--quantization must be none or 4bit, was '{args.quantization}'")
    s["epochs"] = _number(errors, args, "epochs", int, 1, 50)
    s["batch_size"] = _number(errors, args, "batch_size", int, 1, 1024)
    s["lora_r"] = _number(errors, args, "lora_r", int, 1, 1024)
    s["lora_alpha"] = _number(errors, args, "lora_alpha", float, 0, 1e6, low_open=True)
    s["lora_dropout"] = _number(errors, args, "lora_dropout", float, 0, 1, high_open=True)
    s["max_length"] = _number(errors, args, "max_length", int, 16, 1048576)
    s["seed"] = _number(errors, args, "seed", int, 0, 2**32 - 1)
    s["logging_steps"] = _number(errors, args, "logging_steps", int, 1, 1000000)
    lr = _number(errors, args, "learning_rate", float, 0, 1, low_open=True, high_open=True)
    mult = _number(errors, args, "learning_rate_multiplier", float, 0, 1000, low_open=True)
    if args.learning_rate is not None and args.learning_rate_multiplier is not None:
        errors.append("give --learning-rate or --learning-rate-multiplier, not both")
    if lr is None and mult is not None and args.method in DEFAULT_LEARNING_RATE:
        lr = DEFAULT_LEARNING_RATE[args.method] * mult
    elif lr is None and args.method in DEFAULT_LEARNING_RATE:
        lr = DEFAULT_LEARNING_RATE[args.method]
    s["learning_rate"] = lr
    s["extras"], s["peft_extras"] = {}, {}
    # TUNEKIT_EXTRAS (tunekit-local: the run's hyperparameter extras, a JSON object) first; --extra wins.
    from_env, raw_env = [], _env("TUNEKIT_EXTRAS")
    if raw_env:
        try:
            given = json.loads(raw_env)
        except ValueError:
            given = None
        if not isinstance(given, dict):
            errors.append("TUNEKIT_EXTRAS must be a JSON object of hyperparameter names to values")
            given = {}
        on_cli = {item.partition("=")[0].strip() for item in args.extra}
        from_env = [f"{k}={json.dumps(v)}" for k, v in given.items() if k not in on_cli]
    for item in from_env + args.extra:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            errors.append(f"--extra '{item}' must be KEY=VALUE, such as --extra warmup_ratio=0.03")
            continue
        key = key.strip()
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        if key.startswith("peft."):
            s["peft_extras"][key[len("peft."):]] = value
        else:
            s["extras"][key] = value
    if args.output_dir:
        problem = _output_dir_problem(args.output_dir)
        if problem:
            errors.append(problem)
    if errors:
        raise InputError(errors)
    return s


def _output_dir_problem(path):
    if os.path.exists(path):
        if not os.path.isdir(path):
            return f"--output-dir {path} exists and is not a directory; give a directory"
        if not os.access(path, os.W_OK):
            return f"--output-dir {path} is not writable; give a directory this user can write"
        return None
    parent = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent) or not os.access(parent, os.W_OK):
        return f"--output-dir {path} cannot be created: {parent} is not a writable directory"
    return None


# ------------------------------------------------------------------------------------------ datasets


def _content(message, where, errors, loc):
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts: only text parts can be trained here
        texts = []
        for part in content:
            if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
                texts.append(part["text"])
            else:
                errors.append(f"{loc}: {where}.content has a part that is not {{\"type\": \"text\", \"text\": ...}}; "
                              f"this trainer takes text only: remove images, audio and files")
                return None
        return "".join(texts)
    errors.append(f"{loc}: {where}.content must be a string, found {json.dumps(content)[:60]}; "
                  f"put the message text in \"content\"")
    return None


def _message(m, where, errors, loc, allowed_roles):
    """A message as the trainer uses it: {"role", "content"}; None when it has a problem (reported)."""
    if not isinstance(m, dict):
        errors.append(f"{loc}: {where} must be an object {{\"role\": ..., \"content\": ...}}")
        return None
    role = m.get("role")
    if role in UNSUPPORTED_ROLES or m.get("tool_calls") or m.get("function_call"):
        errors.append(f"{loc}: {where} is a tool message or call; this trainer trains on text conversations "
                      f"only: remove tool turns from the example")
        return None
    if role not in allowed_roles:
        errors.append(f"{loc}: {where} has role {json.dumps(role)}; use {', '.join(allowed_roles)}")
        return None
    if "weight" in m:
        w = m["weight"]
        if role != "assistant":
            errors.append(f"{loc}: {where} has a weight, but only assistant messages take one; remove it")
            return None
        if isinstance(w, bool) or w not in (0, 1):
            errors.append(f"{loc}: {where} weight is {json.dumps(w)}; use 0 (context only) or 1 (trained)")
            return None
    content = _content(m, where, errors, loc)
    if content is None:
        return None
    return {"role": role, "content": content}


def _chat_items(obj, loc, errors):
    """One chat example -> prompt/completion items: one per trained assistant message (weight 1 or none).

    Each item's prompt is every message before that assistant message (weight-0 assistant messages
    included, as context), so the loss falls on exactly the messages Tunekit marks as trained.
    """
    messages = obj.get("messages")
    if not isinstance(messages, list) or not messages:
        errors.append(f"{loc}: no \"messages\" list; add \"messages\": [{{\"role\": ..., \"content\": ...}}, ...]")
        return None
    if obj.get("tools"):
        errors.append(f"{loc}: the example has \"tools\"; this trainer trains on text conversations only: "
                      f"remove them")
        return None
    before = len(errors)
    clean, trained = [], []
    for i, m in enumerate(messages):
        c = _message(m, f"messages[{i}]", errors, loc, CHAT_ROLES)
        if c is None:
            continue
        if c["role"] == "assistant" and m.get("weight", 1) == 1:
            trained.append(len(clean))
        clean.append(c)
    if len(errors) > before:
        return None
    if not any(c["role"] == "assistant" for c in clean):
        errors.append(f"{loc}: no assistant message; add the answer to learn as "
                      f"{{\"role\": \"assistant\", \"content\": ...}}")
        return None
    if not trained:
        errors.append(f"{loc}: every assistant message has weight 0, so this example trains nothing; "
                      f"set weight 1 on at least one, or remove the example")
        return None
    items = []
    for i in trained:
        if not any(c["role"] == "user" for c in clean[:i]):
            errors.append(f"{loc}: messages[{i}] is an assistant message with no user message before it; "
                          f"add the user turn it answers")
            return None
        items.append({"prompt": clean[:i], "completion": [clean[i]]})
    return items


def _reply(obj, key, loc, errors):
    value = obj.get(key)
    if isinstance(value, str):  # TRL's plain-text form
        return {"role": "assistant", "content": value}
    if not isinstance(value, list) or len(value) != 1:
        errors.append(f"{loc}: \"{key}\" must be a list holding exactly one assistant message, like "
                      f"[{{\"role\": \"assistant\", \"content\": ...}}]")
        return None
    m = _message(value[0], f"{key}[0]", errors, loc, ("assistant",))
    if m is not None and "weight" in value[0]:
        errors.append(f"{loc}: {key}[0] has a weight; preference replies take none: remove it")
        return None
    return m


def _preference_item(obj, loc, errors):
    """A preference pair -> {"prompt", "chosen", "rejected"}, TRL's conversational preference format.

    Accepts Tunekit's neutral form (input.messages, preferred_output, non_preferred_output) and TRL's
    (prompt, chosen, rejected).
    """
    neutral = "input" in obj or "preferred_output" in obj or "non_preferred_output" in obj
    good, bad = ("preferred_output", "non_preferred_output") if neutral else ("chosen", "rejected")
    for key in (good, bad):
        if key not in obj:
            errors.append(f"{loc}: the preference pair has no \"{key}\"; add it as "
                          f"[{{\"role\": \"assistant\", \"content\": ...}}]")
            return None
    if neutral:
        inp = obj.get("input")
        prompt = inp.get("messages") if isinstance(inp, dict) else None
        prompt_where = "input.messages"
        if isinstance(inp, dict) and inp.get("tools"):
            errors.append(f"{loc}: the example has \"tools\"; this trainer trains on text conversations only: "
                          f"remove them")
            return None
    else:
        prompt = obj.get("prompt")
        prompt_where = "prompt"
    if isinstance(prompt, str):
        prompt = [{"role": "user", "content": prompt}]
    if not isinstance(prompt, list) or not prompt:
        errors.append(f"{loc}: the preference pair needs \"{prompt_where}\": a non-empty list of messages")
        return None
    before = len(errors)
    clean = [_message(m, f"{prompt_where}[{i}]", errors, loc, CHAT_ROLES) for i, m in enumerate(prompt)]
    chosen = _reply(obj, good, loc, errors)
    rejected = _reply(obj, bad, loc, errors)
    if len(errors) > before:
        return None
    if not any(c["role"] == "user" for c in clean):
        errors.append(f"{loc}: {prompt_where} has no user message; add the user turn both replies answer")
        return None
    return {"prompt": clean, "chosen": [chosen], "rejected": [rejected]}


def _is_preference(obj):
    return "messages" not in obj and any(k in obj for k in (
        "input", "preferred_output", "non_preferred_output", "chosen", "rejected"))


def load_dataset_file(path, method, label):
    """Reads and checks every line; returns (items, stats) or raises InputError naming file:line."""
    errors = []
    try:
        with open(path, "rb") as f:
            raw_lines = f.read().split(b"\n")
    except OSError as e:
        raise InputError([f"{path}: cannot read the {label} file ({e.strerror}); check the path"])
    items, examples, trained, context = [], 0, 0, 0
    for number, raw in enumerate(raw_lines, start=1):
        loc = f"{path}:{number}"
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            errors.append(f"{loc}: not UTF-8 (byte {e.start + 1}); save the file as UTF-8")
            continue
        try:
            obj = json.loads(text)
        except ValueError as e:
            errors.append(f"{loc}: not valid JSON ({e.msg} at column {getattr(e, 'colno', '?')}); "
                          f"each line must be one JSON object")
            continue
        if not isinstance(obj, dict):
            errors.append(f"{loc}: each line must be a JSON object, found {type(obj).__name__}")
            continue
        examples += 1
        if method == "dpo":
            if not _is_preference(obj):
                errors.append(f"{loc}: a chat example, but --method dpo trains on preference pairs "
                              f"(input, preferred_output, non_preferred_output); use --method sft for chat data")
                continue
            item = _preference_item(obj, loc, errors)
            if item is not None:
                items.append(item)
                trained += 1
        else:
            if _is_preference(obj):
                errors.append(f"{loc}: a preference pair, but --method sft trains on chat examples "
                              f"({{\"messages\": [...]}}); use --method dpo for preference data")
                continue
            got = _chat_items(obj, loc, errors)
            if got is not None:
                items.extend(got)
                trained += len(got)
                context += sum(1 for m in obj["messages"] if m.get("role") == "assistant"
                               and m.get("weight", 1) == 0)
    if not errors and examples == 0:
        errors.append(f"{path}: the {label} file has no examples; add one JSON object per line")
    if errors:
        raise InputError(errors)
    stats = {"file": path, "examples": examples, "items": len(items)}
    if method == "sft":
        stats["trained_assistant_messages"] = trained
        stats["context_only_assistant_messages"] = context
    return items, stats


# ------------------------------------------------------------------------------------------ training


def _import_ml():
    try:
        import torch  # noqa: F401
        import datasets  # noqa: F401
        import peft  # noqa: F401
        import transformers  # noqa: F401
        import trl  # noqa: F401
    except ImportError as e:
        fail([f"the Python package '{e.name}' is missing; install the pinned set with "
              f"pip install -r trainers/trl/requirements.txt (or use the Dockerfile)"], EXIT_MISSING_PACKAGE)


def train(args, s, train_items, valid_items):
    _import_ml()
    import dataclasses

    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer, PrinterCallback, TrainerCallback, set_seed

    if args.method == "sft":
        from trl import SFTConfig as Config
        from trl import SFTTrainer as Trainer
    else:
        from trl import DPOConfig as Config
        from trl import DPOTrainer as Trainer

    known = {f.name for f in dataclasses.fields(Config)}
    unknown = sorted(k for k in s["extras"] if k not in known)
    if unknown:
        fail([f"--extra {', '.join(unknown)}: not a field of trl.{Config.__name__}; check the name against "
              f"TRL's documentation for the pinned version"], EXIT_BAD_INPUT)
    lora_known = {f.name for f in dataclasses.fields(LoraConfig)}
    unknown = sorted(k for k in s["peft_extras"] if k not in lora_known)
    if unknown:
        fail([f"--extra peft.{', peft.'.join(unknown)}: not a field of peft.LoraConfig"], EXIT_BAD_INPUT)

    set_seed(s["seed"])
    os.makedirs(args.output_dir, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(args.base_model)
    if getattr(tokenizer, "chat_template", None) is None and "chat_template_path" not in s["extras"]:
        fail([f"{args.base_model} has no chat template; use an instruct/chat model (or, with "
              f"--method sft, pass a template with --extra chat_template_path=PATH)"], EXIT_BAD_INPUT)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token

    load = {"dtype": "auto"}
    if args.quantization == "4bit":
        from transformers import BitsAndBytesConfig

        load["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16 if torch.cuda.is_available()
            and torch.cuda.is_bf16_supported() else torch.float16)
    model = AutoModelForCausalLM.from_pretrained(args.base_model, **load)
    if args.quantization == "4bit":
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model)

    lora = dict(r=s["lora_r"], lora_alpha=s["lora_alpha"], lora_dropout=s["lora_dropout"],
                target_modules="all-linear", task_type="CAUSAL_LM")
    lora.update(s["peft_extras"])
    peft_config = LoraConfig(**lora)

    settings = dict(
        output_dir=args.output_dir, num_train_epochs=s["epochs"], per_device_train_batch_size=s["batch_size"],
        per_device_eval_batch_size=s["batch_size"], learning_rate=s["learning_rate"], seed=s["seed"],
        data_seed=s["seed"], max_length=s["max_length"], logging_steps=s["logging_steps"],
        save_strategy="epoch", eval_strategy="epoch" if valid_items else "no", report_to="none",
        disable_tqdm=True)
    # TRL's configs default to bf16 mixed precision, which fails where the device has none: use it
    # only on a CUDA device that supports it, and say so when there is no GPU at all.
    cuda = torch.cuda.is_available()
    settings["bf16"] = cuda and torch.cuda.is_bf16_supported()
    if not cuda:
        settings["use_cpu"] = True
        emit("event", level="warn", message="no CUDA device: training on the CPU, which is slow")
    settings.update(s["extras"])
    config = Config(**settings)

    class TunekitLines(TrainerCallback):
        """Turns the Trainer's logs and saves into the documented JSON lines."""

        RENAME = {"loss": "train_loss", "eval_loss": "valid_loss", "mean_token_accuracy":
                  "train_mean_token_accuracy", "eval_mean_token_accuracy": "valid_mean_token_accuracy"}

        def on_train_begin(self, a, state, control, **kw):
            emit("event", level="info", message=f"training {args.method} on {args.base_model}: "
                 f"{len(train_items)} items, {state.max_steps} steps", total_steps=state.max_steps)

        def on_log(self, a, state, control, logs=None, **kw):
            values = {}
            for key, value in (logs or {}).items():
                if isinstance(value, (int, float)) and not isinstance(value, bool) and key != "epoch":
                    values[self.RENAME.get(key, key)] = float(value)
            if "train_runtime" in values:  # the end-of-run summary: its train_loss is the run's mean
                emit("event", level="info", message="training finished", **values)
            elif values:
                emit("metric", step=state.global_step, epoch=float(state.epoch or 0), **values)

        def on_save(self, a, state, control, **kw):
            path = os.path.join(args.output_dir, f"checkpoint-{state.global_step}")
            emit("checkpoint", step=state.global_step, path=os.path.abspath(path))

    trainer = Trainer(model=model, args=config, train_dataset=Dataset.from_list(train_items),
                      eval_dataset=Dataset.from_list(valid_items) if valid_items else None,
                      processing_class=tokenizer, peft_config=peft_config, callbacks=[TunekitLines()])
    trainer.remove_callback(PrinterCallback)  # it prints Python dicts on standard output
    trainer.train()
    trainer.save_model(args.output_dir)
    emit("model", path=os.path.abspath(args.output_dir))


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        s = check_args(args)
        train_items, train_stats = load_dataset_file(args.train_file, args.method, "training")
        valid_items, valid_stats = [], None
        if args.validation_file:
            valid_items, valid_stats = load_dataset_file(args.validation_file, args.method, "validation")
    except InputError as e:
        fail(e.messages, EXIT_BAD_INPUT)
    if args.dry_run:
        emit("dry_run", ok=True, method=args.method, base_model=args.base_model, output_dir=args.output_dir,
             train=train_stats, validation=valid_stats,
             hyperparameters={k: s[k] for k in ("epochs", "batch_size", "learning_rate", "lora_r", "lora_alpha",
                                                 "lora_dropout", "max_length", "seed")},
             quantization=args.quantization, extras=s["extras"], peft_extras=s["peft_extras"],
             note="extras are checked against TRL's and PEFT's config classes when training starts")
        return 0
    try:
        train(args, s, train_items, valid_items)
    except KeyboardInterrupt:
        fail(["interrupted"], EXIT_TRAINING_FAILED)
    except Exception as e:  # one line for the caller; the trace only on request
        if os.environ.get("TUNEKIT_TRAIN_DEBUG"):
            import traceback

            traceback.print_exc()
        first = (str(e).strip().splitlines() or [""])[0][:500]
        fail([f"training failed: {type(e).__name__}: {first}"], EXIT_TRAINING_FAILED)
    return 0


if __name__ == "__main__":
    sys.exit(main())
