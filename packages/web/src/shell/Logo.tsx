/** The Weft mark: woven threads. */
export function Logo({ compact }: { compact?: boolean }) {
  return (
    <span className="logo">
      <svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true">
        <rect width="24" height="24" rx="6" fill="var(--primary)" />
        <path d="M5 8h14M5 12h14M5 16h14" stroke="#fff" strokeOpacity=".55" strokeWidth="1.6" />
        <path d="M8 5v14M12 5v14M16 5v14" stroke="#fff" strokeWidth="1.6" strokeDasharray="3 1" />
      </svg>
      {!compact && <span className="logo-word">Weft</span>}
    </span>
  );
}
