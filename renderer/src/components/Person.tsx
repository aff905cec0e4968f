import { initials } from '../lib/initials';

/** A person's photo (data URL from Graph) or their initials; decorative, the name is always written beside it. */
export function PersonPhoto({ name, photo, size }: { name: string; photo?: string | null; size: 48 | 56 | 96 }) {
  return photo ? (
    <img className={`person-photo person-${size}`} src={photo} alt="" aria-hidden="true" />
  ) : (
    <span className={`person-photo person-initials person-${size}`} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
