// Precompress the built frontend: for each text or wasm file in the directory given, write
// `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip, level 9) beside it when they are
// smaller. The backend serves them to browsers that accept them (tower-http's
// `ServeDir::precompressed_br` / `precompressed_gzip`), so nothing is compressed per
// request. Node's zlib has both codecs, and Node is already needed for binaryen.
// Prints one line per file: name, bytes, brotli bytes, gzip bytes.
import { readdirSync, readFileSync, writeFileSync, unlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node precompress.mjs <dist dir>");
  process.exit(2);
}
const compressible = /\.(wasm|js|css|html|svg|json|ico)$/;
let plain = 0;
let wire = 0;
for (const name of readdirSync(dir).sort()) {
  const path = join(dir, name);
  if (!statSync(path).isFile() || !compressible.test(name)) continue;
  const bytes = readFileSync(path);
  const br = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  const gz = gzipSync(bytes, { level: 9 });
  for (const [ext, packed] of [[".br", br], [".gz", gz]]) {
    if (packed.length < bytes.length) {
      writeFileSync(path + ext, packed);
    } else {
      try { unlinkSync(path + ext); } catch {}
    }
  }
  plain += bytes.length;
  wire += Math.min(br.length, bytes.length);
  console.log(`${name}\t${bytes.length}\tbr ${br.length}\tgz ${gz.length}`);
}
console.log(`total\t${plain}\tbr ${wire}`);
