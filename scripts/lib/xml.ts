/** Text made safe as XML element content (the SVGs `make figure` and `make bench` write); not for attribute values. */
export const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
