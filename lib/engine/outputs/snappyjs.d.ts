// Types for snappyjs (it ships none): block-format compress and uncompress of bytes.
declare module "snappyjs" {
  function compress(input: Uint8Array): Uint8Array;
  function uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
  const snappy: { compress: typeof compress; uncompress: typeof uncompress };
  export default snappy;
}
