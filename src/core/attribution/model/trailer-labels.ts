// A stand-in for the heuristic engine when labelling a local repository: only co-author trailers
// and bot authors with the AI tools' own addresses (ai-signatures.md), anchored at the start of a
// line, never display names or bare words. Once `attributeCommit` exists the CLI uses it instead.

const AI_ADDRESSES = [
  /^noreply@anthropic\.com$/i,
  /^(\d+\+)?claude(-code-action)?\[bot\]@users\.noreply\.github\.com$/i,
  /^(\d+\+)?copilot(\[bot\])?@users\.noreply\.github\.com$/i,
  /^copilot@github\.com$/i,
  /^cursoragent@cursor\.com$/i,
  /^sos@cursor\.sh$/i,
  /^(\d+\+)?cursor\[bot\]@users\.noreply\.github\.com$/i,
  /^(aider|noreply)@aider\.chat$/i,
  /^(noreply|codex)@openai\.com$/i,
  /^(\d+\+)?(chatgpt-codex-connector|openai-codex|devin-ai-integration|google-labs-jules|amazon-q-developer|cline|continue)\[bot\]@users\.noreply\.github\.com$/i,
  /^amp@ampcode\.com$/i,
  /^openhands@all-hands\.dev$/i,
];

export function isAiAddress(email: string): boolean {
  return AI_ADDRESSES.some((re) => re.test(email.trim()));
}

/** 0.95 when a co-author trailer or the author names a known AI address, else null. */
export function trailerConfidence(message: string, authorEmail: string): number | null {
  if (isAiAddress(authorEmail)) return 0.95;
  for (const match of message.matchAll(/^co-authored-by:[^<\n]*<([^>\n]+)>\s*$/gim)) {
    if (match[1] && isAiAddress(match[1])) return 0.95;
  }
  return null;
}
