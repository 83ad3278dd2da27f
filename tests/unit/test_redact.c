/* test_redact.c: --redact's filters (lib/redact.c) on the config files
 * they are for: what goes, what stays byte for byte, and the header; the
 * JSON one on Docker's config.json. */
#include "util.h"
#include "tap.h"

static char out[4096];

static const char *redact(const char *in, size_t *removed)
{
	size_t len = 0;
	*removed = ini_redact(in, strlen(in), out, sizeof(out), &len);
	out[len] = '\0';
	return out;
}

static long jremoved;
static const char *jredact(const char *in)
{
	size_t len = 0;
	jremoved = sbx_redact(in, strlen(in), out, sizeof(out), &len);
	out[len] = '\0';
	return out;
}

static void test_json(void)
{
	/* ~/.docker/config.json: auths and credHelpers go, the rest stays */
	is_str(jredact("{\n  \"auths\": {\n    \"https://index.docker.io/v1/\": {\n"
	               "      \"auth\": \"dXNlcjpTRUNSRVQ=\"\n    }\n  },\n"
	               "  \"credHelpers\": {\"gcr.io\": \"gcloud\"},\n"
	               "  \"credsStore\": \"desktop\",\n"
	               "  \"currentContext\": \"colima\",\n"
	               "  \"psFormat\": \"table {{.ID}}\\t{{.Names}}\",\n"
	               "  \"proxies\": {\"default\": {\"httpProxy\": "
	               "\"http://u:SECRET@proxy:3128\", \"noProxy\": \"localhost\"}},\n"
	               "  \"HttpHeaders\": {\"Authorization\": \"Bearer SECRET\", "
	               "\"User-Agent\": \"x\"},\n"
	               "  \"plugins\": [1, 2.5e3, true, null, {\"token\": \"SECRET\"}]\n}\n"),
	       "{\"credsStore\":\"desktop\",\"currentContext\":\"colima\","
	       "\"psFormat\":\"table {{.ID}}\\t{{.Names}}\","
	       "\"proxies\":{\"default\":{\"noProxy\":\"localhost\"}},"
	       "\"HttpHeaders\":{\"User-Agent\":\"x\"},"
	       "\"plugins\":[1,2.5e3,true,null,{}]}\n",
	       "config.json: auths, credHelpers, a proxy URL with a password, an "
	       "Authorization header and a token go; the rest stays");
	is_int(jremoved, 5, "five members counted (not those inside a removed one)");
	ok(!strstr(out, "SECRET"), "no secret value is left");
	is_str(jredact("{}"), "{}\n", "an empty object");
	is_int(jremoved, 0, "nothing counted");
	/* not JSON after all: refused, the caller shows nothing of it */
	static const char *const bad[] = {"{\"a\": ",
	                                  "{\"a\" 1}",
	                                  "{\"a\": 1,}",
	                                  "{\"a\": [1 2]}",
	                                  "{\"auths\": {}} trailing",
	                                  "{\"a\": \"unterminated}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(sbx_redact(bad[i], strlen(bad[i]), out, sizeof(out), &(size_t){0}), -1,
		       "malformed JSON refused: %s", bad[i]);
	char deep[200];
	memset(deep, '[', 100);
	memcpy(deep, "{\"a\":", 5);
	deep[100] = '\0';
	is_int(sbx_redact(deep, strlen(deep), out, sizeof(out), &(size_t){0}), -1,
	       "too deep: refused, without recursion past 64");
	char small[8];
	size_t len = 99;
	is_int(json_redact("{\"keep\": \"a long value\"}", 24, small, sizeof(small), &len), -1,
	       "too small a buffer: refused");
	ok(len == 0, "and nothing written counts");
	/* an INI file is still an INI file */
	jredact("token = x\nkeep = y\n");
	is_str(out, "# sbx: 1 credential entry removed\nkeep = y\n", "INI text: ini_redact");
}

int main(void)
{
	test_json();
	size_t n;
	/* .npmrc: the auth token goes, the registry and email stay */
	is_str(redact("registry=https://registry.npmjs.org/\n"
	              "//registry.npmjs.org/:_authToken=npm_SECRET\n"
	              "email=me@example.com\n",
	              &n),
	       "# sbx: 1 credential entry removed\n"
	       "registry=https://registry.npmjs.org/\n"
	       "email=me@example.com\n",
	       ".npmrc");
	is_int((int)n, 1, "one entry counted");
	/* .pypirc: password and its continuation line go */
	is_str(redact("[pypi]\nusername = __token__\npassword = pypi-SECRET\n  more-SECRET\n"
	              "repository = https://upload.pypi.org/legacy/\n",
	              &n),
	       "# sbx: 1 credential entry removed\n"
	       "[pypi]\nusername = __token__\nrepository = https://upload.pypi.org/legacy/\n",
	       ".pypirc with a continuation");
	/* AWS credentials: every key of the profile, the section stays */
	is_str(redact("[default]\naws_access_key_id = AKIA\naws_secret_access_key = S\n"
	              "aws_session_token = T\nregion = eu-west-1\n",
	              &n),
	       "# sbx: 3 credential entries removed\n[default]\nregion = eu-west-1\n",
	       "aws credentials");
	/* .gitconfig: a URL with a password in a section header takes the
	 * section; in a value, the entry */
	is_str(redact("[user]\n\tname = n\n[url \"https://bob:tok@github.com/\"]\n"
	              "\tinsteadOf = https://github.com/\n[remote \"o\"]\n"
	              "\turl = https://bob:tok@example.com/r.git\n\tfetch = +refs/*\n",
	              &n),
	       "# sbx: 2 credential entries removed\n[user]\n\tname = n\n[remote \"o\"]\n"
	       "\tfetch = +refs/*\n",
	       ".gitconfig");
	/* a URL without a password is kept; case and separators in keys */
	is_str(redact("index-url = https://pypi.org/simple\nAPI-KEY: x\nPass_Word=y\n", &n),
	       "# sbx: 2 credential entries removed\nindex-url = https://pypi.org/simple\n",
	       "keys by name, any case and separator");
	/* nothing to remove: unchanged, no header; comments and blanks kept */
	is_str(redact("# c\n; d\n\n[core]\n\teditor = vi\n", &n),
	       "# c\n; d\n\n[core]\n\teditor = vi\n", "unchanged");
	is_int((int)n, 0, "nothing counted");
	/* no final newline, CRLF */
	is_str(redact("a = 1\r\ntoken = 2", &n), "# sbx: 1 credential entry removed\na = 1\r\n",
	       "CRLF and no final newline");
	/* a small out buffer is never overrun */
	char small[8];
	size_t len = 99;
	ini_redact("token = x\nkeep = y\n", 19, small, sizeof(small), &len);
	ok(len <= sizeof(small), "bounded by the buffer");
	return tap_done();
}
