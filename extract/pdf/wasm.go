package pdf

import _ "embed"

// pdfiumWASM is PDFium compiled to WebAssembly (wasm32, Emscripten, no
// V8/XFA), zstd-compressed (zstd -19). It is
// internal/pdfium_wasm/pdfium.wasm from github.com/klippa-app/go-pdfium
// v1.21.4 (5,828,543 bytes, SHA-256
// e6f77e01dce34de05ad62515114152da580b64c23871e3e3e2afef3f7bb88ade),
// built from the wasm-standalone branch of jerbob92/pdfium-binaries.
// Licences: PDFium BSD-3-Clause (with its third-party parts: FreeType,
// libjpeg-turbo, OpenJPEG, lcms2, zlib, abseil), go-pdfium MIT.
//
// To update: copy that file from a newer go-pdfium release, compress it
// with "zstd -19 -o pdfium.wasm.zst pdfium.wasm", update the version and
// digest above and run the tests; the exports the package needs are
// checked when the module is compiled.
//
//go:embed pdfium.wasm.zst
var pdfiumWASM []byte
