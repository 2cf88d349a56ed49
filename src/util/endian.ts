/** Whether typed arrays on this host are little-endian (every mainstream platform; checked, not assumed). */
export const LITTLE_ENDIAN = /* @__PURE__ */ new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
