"""The tiny model (``tests.tiny_model``) as one GGUF file, for llama.cpp's server.

Written with the ``gguf`` package's writer rather than llama.cpp's ``convert_hf_to_gguf.py``: no
package installs the converter, and it names a BPE pre-tokenizer only by the hash of tokenizers it
knows, so it refuses this freshly trained one ("BPE pre-tokenizer was not recognized"). This one
is GPT-2's (byte-level, GPT-2's split regex), which the GGUF says outright. Weights stay float32;
the chat template travels in the file for the server's default (Jinja) mode.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

GGUF_NAME = "tiny-model.gguf"
# The model id llama.cpp's server reports (``/v1/models``) and expects.
SERVED_NAME = "tiny-model"
# llama.cpp's token types: a plain token, and a control token that is never written as text.
NORMAL, CONTROL = 1, 3
_LAYER_TENSORS = {
    "input_layernorm": "attn_norm",
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "post_attention_layernorm": "ffn_norm",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}


def build_tiny_gguf(model_dir: Path) -> Path:
    """Write ``model_dir``'s tiny model as ``model_dir/tiny-model.gguf`` (reused when there)."""
    model_dir = Path(model_dir)
    dest = model_dir / GGUF_NAME
    if dest.exists():
        return dest
    import gguf
    from safetensors.numpy import load_file

    config = json.loads((model_dir / "config.json").read_text())
    tokenizer = json.loads((model_dir / "tokenizer.json").read_text())
    chat_template = (model_dir / "chat_template.jinja").read_text()
    heads, kv_heads = config["num_attention_heads"], config["num_key_value_heads"]
    head_dim = config["hidden_size"] // heads
    vocab = tokenizer["model"]["vocab"]
    special = {token["id"] for token in tokenizer["added_tokens"] if token["special"]}
    tokens = sorted(vocab, key=vocab.__getitem__)
    merges = [
        " ".join(pair) if isinstance(pair, list) else pair for pair in tokenizer["model"]["merges"]
    ]

    # Built aside and renamed into place, so an interrupted build is never mistaken for a model.
    fd, staging = tempfile.mkstemp(prefix=f".{GGUF_NAME}-", dir=model_dir)
    os.close(fd)
    try:
        writer = gguf.GGUFWriter(staging, "llama")
        writer.add_context_length(config["max_position_embeddings"])
        writer.add_embedding_length(config["hidden_size"])
        writer.add_block_count(config["num_hidden_layers"])
        writer.add_feed_forward_length(config["intermediate_size"])
        writer.add_head_count(heads)
        writer.add_head_count_kv(kv_heads)
        writer.add_rope_dimension_count(head_dim)
        writer.add_rope_freq_base(config["rope_parameters"]["rope_theta"])
        writer.add_layer_norm_rms_eps(config["rms_norm_eps"])
        writer.add_vocab_size(len(tokens))
        writer.add_file_type(gguf.LlamaFileType.ALL_F32)
        writer.add_tokenizer_model("gpt2")
        writer.add_tokenizer_pre("gpt-2")
        writer.add_token_list(tokens)
        writer.add_token_types([CONTROL if vocab[t] in special else NORMAL for t in tokens])
        writer.add_token_merges(merges)
        writer.add_bos_token_id(config["bos_token_id"])
        writer.add_eos_token_id(config["eos_token_id"])
        writer.add_pad_token_id(config["pad_token_id"])
        writer.add_add_bos_token(False)  # the tokenizer adds none either
        writer.add_chat_template(chat_template)

        weights = load_file(str(model_dir / "model.safetensors"))
        writer.add_tensor("token_embd.weight", weights["model.embed_tokens.weight"])
        writer.add_tensor("output_norm.weight", weights["model.norm.weight"])
        # Tied embeddings: without ``output.weight`` llama.cpp reuses ``token_embd.weight``.
        for layer in range(config["num_hidden_layers"]):
            for hf_name, name in _LAYER_TENSORS.items():
                tensor = weights[f"model.layers.{layer}.{hf_name}.weight"]
                if name == "attn_q":
                    tensor = _rotary_order(tensor, heads)
                elif name == "attn_k":
                    tensor = _rotary_order(tensor, kv_heads)
                writer.add_tensor(f"blk.{layer}.{name}.weight", np.ascontiguousarray(tensor))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(staging, dest)
    finally:
        Path(staging).unlink(missing_ok=True)
    return dest


def _rotary_order(rows: np.ndarray, heads: int) -> np.ndarray:
    """Rows of a q or k projection from HF's half-split rotary order to llama.cpp's interleaved."""
    return (
        rows.reshape(heads, 2, rows.shape[0] // heads // 2, *rows.shape[1:])
        .swapaxes(1, 2)
        .reshape(rows.shape)
    )


def serve(gguf_path: Path, port: int, *, builtin_template: str | None = None) -> None:
    """Serve ``gguf_path`` on 127.0.0.1:``port`` with llama.cpp's own server until killed.

    The server is llama.cpp's C++ one, from the ``xllamacpp`` wheel (prebuilt, so nothing is
    compiled); it turns ``response_format``'s JSON schema into a grammar. By default it formats
    the chat with the model's own template through Jinja, as ``llama-server`` does, and then
    parses the model's output with a parser built from the template and the schema. That parser
    refuses the random model's text mid-stream (500, "does not match the expected peg-native
    format": its byte tokens make invalid UTF-8, which the grammar lets through); with
    ``builtin_template`` (e.g. ``chatml``) the server formats the chat itself and returns the
    text as the grammar let the model write it.
    """
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(gguf_path)
    params.model_alias = {SERVED_NAME}
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_ctx = 4096
    params.n_parallel = 2
    params.cpuparams.n_threads = 1
    params.cpuparams_batch.n_threads = 1
    params.warmup = False
    if builtin_template is not None:
        params.use_jinja = False
        params.chat_template = builtin_template
    _server = xllamacpp.Server(params)  # listens on its own threads while this one waits
    threading.Event().wait()


if __name__ == "__main__":
    # python -m tests.tiny_gguf GGUF PORT [BUILTIN_TEMPLATE]
    serve(
        Path(sys.argv[1]),
        int(sys.argv[2]),
        builtin_template=sys.argv[3] if len(sys.argv) > 3 else None,
    )
