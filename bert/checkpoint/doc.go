// Package checkpoint reads model weight files into host tensors.
//
// It understands safetensors (single files and sharded folders with a
// model.safetensors.index.json), PyTorch .bin files in both the zip format and
// the legacy pre-1.6 format, and NumPy .npz archives. It knows nothing of model
// architectures or of MLX: a Checkpoint is every tensor of a folder, by the name
// it is stored under.
//
// Invariants:
//   - A Tensor's Data holds exactly NumElements()*DType.Size() bytes, little-endian,
//     row-major (C order) and contiguous; big-endian or strided sources are
//     converted while reading.
//   - Data of several tensors may share one backing buffer (a whole file read at
//     once, or a storage shared by tied weights). Treat Data as read-only.
//   - Every size, offset and stride taken from a file is bounds- and
//     overflow-checked before it is used; bad input gives an error naming the file
//     (and the tensor where there is one), never a panic.
//   - PyTorch pickles run on a restricted pickle machine that only knows the
//     opcodes PyTorch's weights-only unpickler allows and only the globals a
//     state dict needs (see AllowedGlobals); nothing from the file is ever
//     executed.
package checkpoint
