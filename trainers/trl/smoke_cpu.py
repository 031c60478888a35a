#!/usr/bin/env python3
"""Trains for real on the CPU, in about a minute, with no GPU and no download: the check behind the
"what was confirmed" paragraph of README.md. Needs the pinned packages (requirements.txt; torch's CPU
build is enough).

It builds a tiny randomly initialised Llama-architecture model and a byte-level BPE tokenizer (with a
chat template) from the bundled nl2query data in a temporary directory, then runs tunekit_train.py
for SFT (with validation) and DPO, and checks the exit codes, that every standard-output line is one
of the documented JSON kinds, and that the adapter and the checkpoints were written. The losses mean
nothing (the model is random and tiny); the plumbing is what is checked.

    python3 trainers/trl/smoke_cpu.py
"""

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "examples", "data", "nl2query")
KINDS = {"metric", "checkpoint", "model", "event"}


def build_tiny_model(directory):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    with open(os.path.join(DATA, "train.jsonl"), encoding="utf-8") as f:
        texts = [m["content"] for line in f for m in json.loads(line)["messages"]]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(texts, trainers.BpeTrainer(
        vocab_size=600, special_tokens=["<|pad|>", "<|end|>", "<|system|>", "<|user|>", "<|assistant|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<|pad|>", eos_token="<|end|>")
    tokenizer.chat_template = ("{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}<|end|>{% endfor %}"
                               "{% if add_generation_prompt %}<|assistant|>{% endif %}")
    tokenizer.save_pretrained(directory)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=2048,
                         pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id)
    LlamaForCausalLM(config).save_pretrained(directory)


def run(args, work):
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    done = subprocess.run([sys.executable, os.path.join(HERE, "tunekit_train.py")] + args, cwd=work, env=env,
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        sys.exit(f"smoke: {' '.join(args[:2])} exited {done.returncode}: {done.stderr.strip().splitlines()[-1:]}")
    lines = [json.loads(line) for line in done.stdout.splitlines()]  # every line must be JSON
    kinds = {line["tunekit"] for line in lines}
    if not kinds <= KINDS or not {"metric", "checkpoint", "model"} <= kinds:
        sys.exit(f"smoke: unexpected output kinds {sorted(kinds)}")
    return lines


def main():
    with tempfile.TemporaryDirectory() as work:
        model = os.path.join(work, "tiny")
        build_tiny_model(model)
        head = os.path.join(work, "train40.jsonl")
        with open(os.path.join(DATA, "train.jsonl"), encoding="utf-8") as f, open(head, "w", encoding="utf-8") as o:
            o.writelines(f.readlines()[:40])
        sft = run(["--method", "sft", "--base-model", model, "--train-file", head, "--validation-file",
                   os.path.join(DATA, "validation.jsonl"), "--output-dir", "sft", "--epochs", "1",
                   "--batch-size", "8", "--logging-steps", "1", "--extra", "warmup_steps=1"], work)
        dpo = run(["--method", "dpo", "--base-model", model, "--train-file",
                   os.path.join(HERE, "sample", "preference.jsonl"), "--output-dir", "dpo", "--epochs", "1",
                   "--batch-size", "4", "--logging-steps", "1", "--extra", "peft.lora_dropout=0.1"], work)
        for name, lines in (("sft", sft), ("dpo", dpo)):
            out = os.path.join(work, name)
            missing = [f for f in ("adapter_config.json", "adapter_model.safetensors") if not os.path.exists(
                os.path.join(out, f))]
            checkpoints = [line["path"] for line in lines if line["tunekit"] == "checkpoint"]
            if missing or not all(os.path.isdir(p) for p in checkpoints):
                sys.exit(f"smoke: {name}: missing {missing} or a checkpoint directory of {checkpoints}")
            losses = [line["train_loss"] for line in lines if line["tunekit"] == "metric" and "train_loss" in line]
            print(f"{name}: {len(lines)} lines, {len(losses)} train_loss values "
                  f"(first {losses[0]:.4f}, last {losses[-1]:.4f}), {len(checkpoints)} checkpoints, adapter written")
        if not any("valid_loss" in line for line in sft):
            sys.exit("smoke: sft printed no valid_loss")
    print("smoke: ok")


if __name__ == "__main__":
    main()
