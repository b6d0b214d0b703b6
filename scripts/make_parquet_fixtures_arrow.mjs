// make_parquet_fixtures_arrow.mjs: writes the Arrow-based (parquet-wasm, i.e.
// arrow-rs) interop fixtures under tests/data/parquet/. Run through
// scripts/make_parquet_fixtures.sh, which installs the npm packages in a
// scratch folder outside the repository. Values are formulas of the row
// number that tests/unit/format/test_parquet_interop.c recomputes.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';

const scratch = process.argv[2];
const outDir = process.argv[3];
const require = createRequire(scratch + '/');
const arrow = require('apache-arrow');
const pq = require('parquet-wasm/node');

const N = 1000;
const rows = [...Array(N).keys()];
const bitmap = (isNull) => {
    const bits = new Uint8Array(Math.ceil(N / 8));
    rows.forEach((i) => { if (!isNull(i)) bits[i >> 3] |= 1 << (i & 7); });
    return bits;
};
const column = (type, values, isNull) => arrow.makeVector(arrow.makeData({
    type, length: N, data: values,
    nullBitmap: isNull ? bitmap(isNull) : undefined,
    nullCount: isNull ? rows.filter(isNull).length : 0,
}));
const strings = (f, isNull) => {
    const parts = rows.map((i) => (isNull(i) ? '' : f(i)));
    const bytes = new TextEncoder().encode(parts.join(''));
    const offsets = new Int32Array(N + 1);
    parts.forEach((p, i) => { offsets[i + 1] = offsets[i] + new TextEncoder().encode(p).length; });
    return arrow.makeVector(arrow.makeData({
        type: new arrow.Utf8(), length: N, valueOffsets: offsets, data: bytes,
        nullBitmap: bitmap(isNull), nullCount: rows.filter(isNull).length,
    }));
};

const table = new arrow.Table({
    i32: column(new arrow.Int32(), Int32Array.from(rows, (i) => i * 3 - 1000)),
    i64: column(new arrow.Int64(), BigInt64Array.from(rows, (i) => BigInt(i) * 1000000007n)),
    i16: column(new arrow.Int16(), Int16Array.from(rows, (i) => (i % 1000) - 500)),
    u32: column(new arrow.Uint32(), Uint32Array.from(rows, (i) => i * 4000000)),
    f64: column(new arrow.Float64(), Float64Array.from(rows, (i) => i * 0.5), (i) => i % 7 === 3),
    f32: column(new arrow.Float32(), Float32Array.from(rows, (i) => i * 0.25)),
    flag: column(new arrow.Bool(), (() => { const b = new Uint8Array(Math.ceil(N / 8));
        rows.forEach((i) => { if (i % 3 === 1) b[i >> 3] |= 1 << (i & 7); }); return b; })()),
    s: strings((i) => (i % 3 === 0 ? `shared prefix number ${i}` : `v${i % 37}`), (i) => i % 5 === 2),
    ts: column(new arrow.TimestampMicrosecond(),
        BigInt64Array.from(rows, (i) => 1577836800000000n + BigInt(i) * 1000001n)),
    day: column(new arrow.DateDay(), Int32Array.from(rows, (i) => 10957 + i - 500)),
});
const wasmTable = pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));

const E = pq.Encoding, C = pq.Compression;
const fixtures = [
    ['arrow_v1_dict_snappy.parquet', (b) => b.setCompression(C.SNAPPY).setDictionaryEnabled(true)],
    ['arrow_v1_plain_lz4.parquet', (b) => b.setCompression(C.LZ4_RAW).setDictionaryEnabled(false)],
    ['arrow_v2_delta_zstd.parquet', (b) => b.setWriterVersion(pq.WriterVersion.V2)
        .setCompression(C.ZSTD).setDictionaryEnabled(false)
        .setColumnEncoding('i32', E.DELTA_BINARY_PACKED).setColumnEncoding('i64', E.DELTA_BINARY_PACKED)
        .setColumnEncoding('i16', E.DELTA_BINARY_PACKED).setColumnEncoding('u32', E.DELTA_BINARY_PACKED)
        .setColumnEncoding('ts', E.DELTA_BINARY_PACKED).setColumnEncoding('day', E.DELTA_BINARY_PACKED)
        .setColumnEncoding('s', E.DELTA_BYTE_ARRAY).setColumnEncoding('f64', E.BYTE_STREAM_SPLIT)
        .setColumnEncoding('f32', E.BYTE_STREAM_SPLIT).setColumnEncoding('flag', E.RLE)
        .setMaxRowGroupSize(400).setDataPageSizeLimit(512)],
    ['arrow_v2_dlba_gzip.parquet', (b) => b.setWriterVersion(pq.WriterVersion.V2)
        .setCompression(C.GZIP).setDictionaryEnabled(false)
        .setColumnEncoding('s', E.DELTA_LENGTH_BYTE_ARRAY)],
];
for (const [name, configure] of fixtures) {
    const props = configure(new pq.WriterPropertiesBuilder()).build();
    const bytes = pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props);
    writeFileSync(`${outDir}/${name}`, bytes);
    console.log(`wrote ${outDir}/${name}`);
}
void wasmTable;
