/* profiles.c: the built-in profiles, as policy text (the policy language:
 * policy.c). */
#include "internal.h"

#if defined(__APPLE__)
#define MACOS_DENY "read-deny = ~/Library/Keychains\n"
#else
#define MACOS_DENY ""
#endif
/* What root can read and no build needs: password hashes, the host's ssh
 * keys, TLS private keys. */
#if !defined(_WIN32)
#define UNIX_DENY                                                                                  \
	"read-deny = /etc/shadow\n"                                                                \
	"read-deny = /etc/shadow-\n"                                                               \
	"read-deny = /etc/gshadow\n"                                                               \
	"read-deny = /etc/gshadow-\n"                                                              \
	"read-deny = /etc/ssh/ssh_host_rsa_key\n"                                                  \
	"read-deny = /etc/ssh/ssh_host_ecdsa_key\n"                                                \
	"read-deny = /etc/ssh/ssh_host_ed25519_key\n"                                              \
	"read-deny = /etc/ssh/ssh_host_dsa_key\n"                                                  \
	"read-deny = /etc/ssl/private\n"
#else
#define UNIX_DENY ""
#endif

/* The agent profile: a coding agent or build may use the network outward and
 * write its workspace and temp dir; everything else it writes is thrown
 * away, and credentials stay out of reach, on disk and in the environment. */
static const char agent_text[] =
    "net = outbound\n"
    "write = overlay\n"
    "writable = .\n"
    "allow-temp = true\n"
    "read-deny = ~/.ssh\n"
    "read-deny = ~/.gnupg\n"
    "read-deny = ~/.aws\n"
    "read-deny = ~/.azure\n"
    "read-deny = ~/.docker\n"
    "read-deny = ~/.kube\n"
    "read-deny = ~/.npmrc\n"
    "read-deny = ~/.pypirc\n"
    "read-deny = ~/.netrc\n"
    "read-deny = ~/.git-credentials\n"
    "read-deny = ~/.pgpass\n"
    "read-deny = ~/.vault-token\n"
    "read-deny = ~/.config/gcloud\n"
    "read-deny = ~/.config/gh\n"
    "read-deny = ~/.config/op\n"
    "read-deny = ~/.config/hub\n"
    "read-deny = ~/.config/containers/auth.json\n"
    "read-deny = ~/.password-store\n"
    "read-deny = ~/.local/share/keyrings\n"
    "read-deny = ~/.cargo/credentials\n"
    "read-deny = ~/.cargo/credentials.toml\n"
    "read-deny = ~/.terraform.d/credentials.tfrc.json\n"
    "read-deny = ~/.mozilla\n"
    "read-deny = ~/.config/google-chrome\n"
    "read-deny = ~/.config/chromium\n"
    "read-deny = ~/.bash_history\n"
    "read-deny = ~/.zsh_history\n"
    "read-deny = ~/.config/git/credentials\n"
    "read-deny = ~/.gem/credentials\n"
    "read-deny = ~/.s3cfg\n"
    "read-deny = ~/.boto\n"
    "read-deny = ~/.config/rclone\n"
    "read-deny = ~/.oci\n"
    "read-deny = ~/.config/doctl\n"
    "read-deny = ~/.claude/.credentials.json\n"
    "read-deny = ~/.codex/auth.json\n" MACOS_DENY UNIX_DENY "redact-existing = ~/.npmrc\n"
    "redact-existing = ~/.pypirc\n"
    "redact-existing = ~/.config/pip/pip.conf\n"
    "redact-existing = ~/.pip/pip.conf\n"
    "redact-existing = ~/.docker/config.json\n"
    "write-deny-existing = .git/hooks\n"
    "write-deny-existing = .git/config\n"
    "write-deny-existing = .gitmodules\n"
    "write-deny-existing = .envrc\n"
    "write-deny-existing = .vscode\n"
    "write-deny-existing = .idea\n"
    "write-deny-existing = .mcp.json\n"
    "write-deny-existing = ~/.bashrc\n"
    "write-deny-existing = ~/.bash_profile\n"
    "write-deny-existing = ~/.zshrc\n"
    "write-deny-existing = ~/.profile\n"
    "write-deny-existing = ~/.gitconfig\n"
    "env-deny = *_TOKEN\n"
    "env-deny = *_KEY\n"
    "env-deny = *_SECRET\n"
    "env-deny = *PASSWORD\n"
    "env-deny = *PASSWD\n"
    "env-deny = *_PWD\n"
    "env-deny = *_CREDENTIALS\n"
    "env-deny = AWS_*\n"
    "env-deny = AZURE_*\n"
    "env-deny = GITHUB_*\n"
    "env-deny = ANTHROPIC_*\n"
    "env-deny = OPENAI_*\n"
    "env-deny = SSH_AUTH_SOCK\n"
    "env-deny = GPG_AGENT_INFO\n";

/* tight: the agent's denials, no network, no writes at all. */
static const char tight_text[] = "profile = agent\n"
                                 "net = disable\n"
                                 "write = none\n";

static const struct {
	const char *name;
	const char *text;
} builtins[] = {
    {"agent", agent_text},
    {"tight", tight_text},
};

static const char *const builtin_names[] = {"agent", "tight", NULL};

const char *const *sbx_builtin_profiles(void)
{
	return builtin_names;
}

const char *sbx_builtin_profile_text(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(builtins); i++)
		if (streq(name, builtins[i].name))
			return builtins[i].text;
	return NULL;
}
