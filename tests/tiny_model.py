"""Build a tiny causal language model locally: random weights and a byte-level BPE tokenizer
trained on a few Italian sentences, saved so AutoModelForCausalLM/AutoTokenizer load it offline.

Its output is random, which is the point: the worker must turn whatever it says into valid JSON.
Byte-level BPE means every byte is a token, so the model can write any character JSON needs.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

SENTENCES = [
    "Ieri sono andato al mercato con mia sorella.",
    "Di solito facciamo colazione al bar sotto casa.",
    "Il treno per Roma parte alle nove e mezza.",
    "Penso che Giulia abbia ragione.",
    "Domani andremo a teatro con gli amici.",
    "Gli studenti leggono un libro di poesie.",
    "Perché non sei venuta? Non lo so: è già tardi.",
    '{"exercises": [{"type": "fill_in_blank", "question": "Io ___ (essere) qui.", '
    '"correct_answer": "sono", "options": null, "explanation": "Presente di essere."}]}',
    '{"type": "multiple_choice", "options": ["vado", "vai", "va", "andiamo"]}',
    '{"type": "translation", "question": "I eat an apple.", "correct_answer": "Mangio una mela."}',
]
CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}\n"
    "{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)


def build_tiny_model(dest: Path) -> Path:
    """Write the tiny model and tokenizer to ``dest`` (reused when already complete there)."""
    dest = Path(dest)
    if (dest / "config.json").exists() and (dest / "tokenizer.json").exists():
        return dest
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    dest.parent.mkdir(parents=True, exist_ok=True)
    # Built aside and renamed into place, so an interrupted build is never mistaken for a model.
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        tokenizer = Tokenizer(models.BPE())
        tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tokenizer.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=512,
            special_tokens=["<pad>", "<s>", "</s>"],
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        )
        tokenizer.train_from_iterator(SENTENCES * 4, trainer)
        fast = PreTrainedTokenizerFast(
            tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", pad_token="<pad>"
        )
        fast.chat_template = CHAT_TEMPLATE
        fast.save_pretrained(staging)

        torch.manual_seed(0)
        config = LlamaConfig(
            vocab_size=len(fast),
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            max_position_embeddings=8192,
            bos_token_id=fast.bos_token_id,
            eos_token_id=fast.eos_token_id,
            pad_token_id=fast.pad_token_id,
            tie_word_embeddings=True,
        )
        LlamaForCausalLM(config).save_pretrained(staging)
        try:
            staging.rename(dest)
        except OSError:  # built meanwhile by another process, or dest is an empty folder
            if (dest / "config.json").exists():
                return dest
            dest.rmdir()
            staging.rename(dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dest
