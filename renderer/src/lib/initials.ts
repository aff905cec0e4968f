/** "Jonas Weber" → "JW"; "Weiß, Johanna" → "JW"; one word → its first letter. Pure. */
export function initials(name: string): string {
  const cleaned = name.replace(/\(.*?\)|\[.*?\]/g, ' ').trim();
  const ordered = cleaned.includes(',') ? cleaned.split(',').reverse().join(' ') : cleaned;
  const words = ordered.split(/\s+/).filter((w) => /\p{L}/u.test(w));
  const first = words[0];
  const last = words.length > 1 ? words[words.length - 1] : undefined;
  const letter = (w: string | undefined) => (w ? ([...w].find((c) => /\p{L}/u.test(c)) ?? '') : '');
  return (letter(first) + letter(last)).toUpperCase();
}
