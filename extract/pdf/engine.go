package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"unicode/utf16"

	"github.com/klauspost/compress/zstd"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/emscripten"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// This file is the thin binding between Go and the PDFium WebAssembly
// module: one wazero runtime and compiled module per Extractor, and one
// module instance per worker. It calls the PDFium C API (fpdfview.h,
// fpdf_doc.h, fpdf_text.h) by export name with 32-bit pointers into the
// instance's linear memory.

// PDFium's FPDF_GetLastError codes (fpdfview.h).
const (
	errSuccess  = 0
	errUnknown  = 1
	errFile     = 2
	errFormat   = 3
	errPassword = 4
	errSecurity = 5
	errPage     = 6
)

// exports lists the PDFium functions the extractor calls.
var exports = [...]string{
	"malloc", "free",
	"FPDF_InitLibrary",
	"FPDF_FILEACCESS_Create",
	"FPDF_LoadCustomDocument", "FPDF_CloseDocument", "FPDF_GetLastError",
	"FPDF_GetPageCount", "FPDF_GetFileVersion", "FPDF_GetMetaText",
	"FPDF_GetSecurityHandlerRevision",
	"FPDF_LoadPage", "FPDF_ClosePage",
	"FPDFPage_GetAnnotCount", "FPDFPage_Flatten",
	"FPDFText_LoadPage", "FPDFText_ClosePage", "FPDFText_CountChars",
	"FPDFText_GetText",
}

// engine is a wazero runtime with the PDFium module compiled into it.
type engine struct {
	rt wazero.Runtime
	cm wazero.CompiledModule
}

// wasmOnce decompresses the embedded module once per process.
var wasmOnce = sync.OnceValues(func() ([]byte, error) {
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(64<<20))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.DecodeAll(pdfiumWASM, nil)
})

// newEngine compiles the PDFium module (or loads it from the compilation
// cache in cacheDir) into a runtime whose instances are limited to
// memPages pages of 64 KiB.
func newEngine(ctx context.Context, memPages uint32, cacheDir string) (*engine, error) {
	wasm, err := wasmOnce()
	if err != nil {
		return nil, fmt.Errorf("decompress PDFium module: %w", err)
	}
	cfg := wazero.NewRuntimeConfig().
		// The module lowers setjmp/longjmp to exception handling.
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		// A cancelled or expired context stops running guest code and
		// closes the instance: this is how timeouts are enforced.
		WithCloseOnContextDone(true).
		WithMemoryLimitPages(memPages)
	if cacheDir != "" {
		cache, err := wazero.NewCompilationCacheWithDir(cacheDir)
		if err != nil {
			return nil, fmt.Errorf("open compilation cache %s: %w", cacheDir, err)
		}
		cfg = cfg.WithCompilationCache(cache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	e := &engine{rt: rt}
	if err := e.init(ctx, wasm); err != nil {
		rt.Close(ctx)
		return nil, err
	}
	return e, nil
}

func (e *engine) init(ctx context.Context, wasm []byte) error {
	// WASI without any preopened directory, environment, arguments or
	// output: the guest sees an empty system.
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, e.rt); err != nil {
		return fmt.Errorf("instantiate WASI: %w", err)
	}
	cm, err := e.rt.CompileModule(ctx, wasm)
	if err != nil {
		return fmt.Errorf("compile PDFium module: %w", err)
	}
	e.cm = cm
	for _, name := range exports {
		if _, ok := cm.ExportedFunctions()[name]; !ok {
			return fmt.Errorf("PDFium module lacks export %s", name)
		}
	}

	env := e.rt.NewHostModuleBuilder("env")
	em, err := emscripten.NewFunctionExporterForModule(cm)
	if err != nil {
		return fmt.Errorf("emscripten imports: %w", err)
	}
	em.ExportFunctions(env)
	for _, fn := range cm.ImportedFunctions() {
		mod, name, _ := fn.Import()
		if mod != "env" || name == "emscripten_notify_memory_growth" {
			continue
		}
		var f api.GoModuleFunc
		if name == "FPDF_FILEACCESS_CB" {
			f = fileAccessCB
		} else {
			// Form filling, progressive rendering, download hints, file
			// writing and time callbacks: PDFium calls them only when
			// the host registers them, which the extractor never does.
			n := len(fn.ResultTypes())
			f = func(_ context.Context, _ api.Module, stack []uint64) {
				clear(stack[:n])
			}
		}
		env.NewFunctionBuilder().
			WithGoModuleFunction(f, fn.ParamTypes(), fn.ResultTypes()).
			Export(name)
	}
	if _, err := env.Instantiate(ctx); err != nil {
		return fmt.Errorf("instantiate env imports: %w", err)
	}
	return nil
}

func (e *engine) close(ctx context.Context) error {
	return e.rt.Close(ctx)
}

// source is the document an instance is reading, handed to
// fileAccessCB through the context of each guest call.
type source struct {
	ctx  context.Context
	r    io.ReaderAt
	size int64
	err  error // first read error, reported instead of PDFium's
}

type sourceKey struct{}

// fileAccessCB implements FPDF_FILEACCESS.m_GetBlock(param, position,
// pBuf, size): it copies size bytes at position into guest memory and
// returns non-zero on success. PDFium reads through it, so a document is
// never copied whole into the instance's memory.
func fileAccessCB(ctx context.Context, mod api.Module, stack []uint64) {
	pos, buf, n := int64(uint32(stack[1])), uint32(stack[2]), uint32(stack[3])
	stack[0] = 0
	src, _ := ctx.Value(sourceKey{}).(*source)
	if src == nil || src.ctx.Err() != nil {
		return
	}
	if pos+int64(n) > src.size {
		return
	}
	dst, ok := mod.Memory().Read(buf, n)
	if !ok {
		return
	}
	m, err := src.r.ReadAt(dst, pos)
	if m == len(dst) {
		err = nil
	}
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if src.err == nil {
			src.err = fmt.Errorf("read %d bytes at offset %d: %w", n, pos, err)
		}
		return
	}
	stack[0] = 1
}

// instance is one PDFium module instance. It is used by one goroutine at
// a time and discarded after any error from guest code.
type instance struct {
	mod  api.Module
	fn   map[string]api.Function
	uses int
}

func (e *engine) newInstance(ctx context.Context) (*instance, error) {
	cfg := wazero.NewModuleConfig().
		WithName("").
		WithStartFunctions("_initialize")
	mod, err := e.rt.InstantiateModule(ctx, e.cm, cfg)
	if err != nil {
		return nil, fmt.Errorf("instantiate PDFium: %w", err)
	}
	in := &instance{mod: mod, fn: make(map[string]api.Function, len(exports))}
	for _, name := range exports {
		in.fn[name] = mod.ExportedFunction(name)
	}
	if _, err := in.call(ctx, "FPDF_InitLibrary"); err != nil {
		mod.Close(context.Background())
		return nil, err
	}
	return in, nil
}

func (in *instance) close() {
	in.mod.Close(context.Background())
}

// memSize returns the size of the instance's linear memory in bytes.
func (in *instance) memSize() uint32 {
	return in.mod.Memory().Size()
}

// call calls an export and returns its one result (0 for none). An
// error means a trap, an exhausted memory limit or an expired context:
// the instance must then be discarded.
func (in *instance) call(ctx context.Context, name string, args ...uint64) (uint64, error) {
	res, err := in.fn[name].Call(ctx, args...)
	if err != nil {
		return 0, &trapError{fn: name, err: err}
	}
	if len(res) == 0 {
		return 0, nil
	}
	return res[0], nil
}

// trapError is an error raised by guest code.
type trapError struct {
	fn  string
	err error
}

func (e *trapError) Error() string { return "pdfium " + e.fn + ": " + e.err.Error() }
func (e *trapError) Unwrap() error { return e.err }

// errNoMemory is returned when the guest's malloc fails.
var errNoMemory = errors.New("PDFium instance out of memory")

func (in *instance) malloc(ctx context.Context, n uint32) (uint32, error) {
	p, err := in.call(ctx, "malloc", uint64(n))
	if err != nil {
		return 0, err
	}
	if p == 0 {
		return 0, errNoMemory
	}
	return uint32(p), nil
}

func (in *instance) free(ctx context.Context, p uint32) error {
	_, err := in.call(ctx, "free", uint64(p))
	return err
}

// cstring copies s, NUL-terminated, into guest memory.
func (in *instance) cstring(ctx context.Context, s string) (uint32, error) {
	p, err := in.malloc(ctx, uint32(len(s)+1))
	if err != nil {
		return 0, err
	}
	if !in.mod.Memory().Write(p, append([]byte(s), 0)) {
		return 0, errors.New("write guest memory: out of range")
	}
	return p, nil
}

// read copies n bytes of guest memory at p.
func (in *instance) read(p, n uint32) ([]byte, error) {
	b, ok := in.mod.Memory().Read(p, n)
	if !ok {
		return nil, fmt.Errorf("read guest memory [%#x, +%d): out of range", p, n)
	}
	return bytes.Clone(b), nil
}

// utf16le decodes little-endian UTF-16 without a byte order mark,
// dropping one trailing NUL.
func utf16le(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	if n := len(u); n > 0 && u[n-1] == 0 {
		u = u[:n-1]
	}
	return string(utf16.Decode(u))
}
