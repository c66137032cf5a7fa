/** First byte the JS arena may use (8-byte aligned by the JS side). */
export function heapBase(): usize {
  return __heap_base;
}
