/* appcontainer_win32.c: runs an appcontainer plan on Windows (built only for
 * Windows; it is sbx_plan_run there). It applies exactly the plan's profile
 * (parsed by sbx_ac_parse), in this order, and undoes it on every path:
 *
 *   1. an AppContainer profile with a name of its own (name-PID-N), so its
 *      SID is new and the grants below reach nothing else;
 *   2. ACL entries for that SID on the granted paths (revoked afterwards);
 *   3. a job object: kill-on-close, memory, active-process and CPU-rate
 *      limits;
 *   4. the process, created suspended with the container's SID and network
 *      capabilities, as a less-privileged AppContainer, with the
 *      child-process mitigation for no-exec and only its stdio handles
 *      inherited; assigned to the job, then resumed;
 *   5. wait (timeout: the job is terminated, status 124), exit code;
 *   6. cleanup: job closed (kills what is left), grants revoked, profile
 *      deleted.
 * Any failure before the process resumes fails the run: nothing runs. */
#include "appcontainer.h"

#include <windows.h>
#include <aclapi.h>
#include <io.h>
#include <sddl.h>
#include <stdio.h>
#include <userenv.h>

#ifndef PROC_THREAD_ATTRIBUTE_CHILD_PROCESS_POLICY
#define PROC_THREAD_ATTRIBUTE_CHILD_PROCESS_POLICY ProcThreadAttributeValue(14, FALSE, TRUE, FALSE)
#endif
#ifndef PROC_THREAD_ATTRIBUTE_ALL_APPLICATION_PACKAGES_POLICY
#define PROC_THREAD_ATTRIBUTE_ALL_APPLICATION_PACKAGES_POLICY                                      \
	ProcThreadAttributeValue(15, FALSE, TRUE, FALSE)
#endif
#ifndef PROCESS_CREATION_CHILD_PROCESS_RESTRICTED
#define PROCESS_CREATION_CHILD_PROCESS_RESTRICTED 0x01
#endif
#ifndef PROCESS_CREATION_ALL_APPLICATION_PACKAGES_OPT_OUT
#define PROCESS_CREATION_ALL_APPLICATION_PACKAGES_OPT_OUT 0x01
#endif

/* Everything the run created, so cleanup can undo exactly that. */
struct acrun {
	struct sbx_ac_plan ac;
	wchar_t name[128];
	bool profile_created;
	PSID sid;
	SID_AND_ATTRIBUTES caps[8];
	DWORD ncaps;
	wchar_t *granted[256]; /* paths whose DACL got an entry for sid */
	size_t ngranted;
	HANDLE job;
	LPPROC_THREAD_ATTRIBUTE_LIST attrs;
	wchar_t *env, *cmdline, *cwd;
	PROCESS_INFORMATION pi;
};

static int win_err(sbx_error **err, const char *what, DWORD e)
{
	char msg[256] = "";
	FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, e, 0, msg,
	               sizeof(msg), NULL);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r' || msg[n - 1] == '.'))
		msg[--n] = '\0';
	return sbx_err(err, -EPERM, "appcontainer: %s: %s (error %lu)", what, msg,
	               (unsigned long)e);
}

static wchar_t *widen(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
	if (n <= 0)
		return NULL;
	wchar_t *w = calloc((size_t)n, sizeof(wchar_t));
	if (w && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
		free(w);
		return NULL;
	}
	return w;
}

static int create_profile(struct acrun *r, sbx_error **err)
{
	static LONG counter;
	_snwprintf(r->name, ARRAY_SIZE(r->name) - 1, L"%hs-%lu-%ld", r->ac.name,
	           (unsigned long)GetCurrentProcessId(), InterlockedIncrement(&counter));
	HRESULT hr =
	    CreateAppContainerProfile(r->name, r->name, L"sbx-exec sandbox", NULL, 0, &r->sid);
	if (FAILED(hr))
		return win_err(err, "CreateAppContainerProfile", (DWORD)HRESULT_CODE(hr));
	r->profile_created = true;
	for (size_t i = 0; i < r->ac.cap_sids.n; i++) {
		if (r->ncaps >= ARRAY_SIZE(r->caps))
			return sbx_err(err, -EINVAL, "appcontainer: too many capabilities");
		PSID cap = NULL;
		if (!ConvertStringSidToSidA(r->ac.cap_sids.v[i], &cap))
			return win_err(err, "capability SID", GetLastError());
		r->caps[r->ncaps].Sid = cap;
		r->caps[r->ncaps++].Attributes = SE_GROUP_ENABLED;
	}
	return 0;
}

/* Adds (grant) or removes (revoke) the container SID's entry on path. */
static DWORD set_acl(PSID sid, wchar_t *path, DWORD mask, bool grant)
{
	PACL old = NULL, acl = NULL;
	PSECURITY_DESCRIPTOR sd = NULL;
	DWORD e = GetNamedSecurityInfoW(path, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL,
	                                &old, NULL, &sd);
	if (e != ERROR_SUCCESS)
		return e;
	EXPLICIT_ACCESS_W ea = {
	    .grfAccessPermissions = mask,
	    .grfAccessMode = grant ? GRANT_ACCESS : REVOKE_ACCESS,
	    .grfInheritance = SUB_CONTAINERS_AND_OBJECTS_INHERIT,
	    .Trustee = {.TrusteeForm = TRUSTEE_IS_SID,
	                .TrusteeType = TRUSTEE_IS_WELL_KNOWN_GROUP,
	                .ptstrName = (LPWSTR)sid},
	};
	e = SetEntriesInAclW(1, &ea, old, &acl);
	if (e == ERROR_SUCCESS)
		e = SetNamedSecurityInfoW(path, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL,
		                          NULL, acl, NULL);
	LocalFree(acl);
	LocalFree(sd);
	return e;
}

static int grant_paths(struct acrun *r, sbx_error **err)
{
	static const DWORD masks[SBX_AC__GRANTS] = {
	    [SBX_AC_READ] = FILE_GENERIC_READ | FILE_GENERIC_EXECUTE,
	    [SBX_AC_WRITE] = FILE_ALL_ACCESS,
	    [SBX_AC_SOCKET] = FILE_GENERIC_READ | FILE_GENERIC_WRITE,
	};
	for (int k = 0; k < SBX_AC__GRANTS; k++)
		for (size_t i = 0; i < r->ac.grants[k].n; i++) {
			const char *path = r->ac.grants[k].v[i];
			if (r->ngranted >= ARRAY_SIZE(r->granted))
				return sbx_err(err, -E2BIG, "appcontainer: too many grants");
			wchar_t *w = widen(path);
			if (!w)
				return sbx_err(err, -EINVAL, "appcontainer: path %s is not UTF-8",
				               path);
			DWORD e = set_acl(r->sid, w, masks[k], true);
			if (e != ERROR_SUCCESS) {
				free(w);
				char what[512];
				snprintf(what, sizeof(what), "grant %s", path);
				return win_err(err, what, e);
			}
			r->granted[r->ngranted++] = w;
		}
	return 0;
}

static int make_job(struct acrun *r, sbx_error **err)
{
	r->job = CreateJobObjectW(NULL, NULL);
	if (!r->job)
		return win_err(err, "CreateJobObject", GetLastError());
	JOBOBJECT_EXTENDED_LIMIT_INFORMATION li = {0};
	li.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
	if (r->ac.memory > 0) {
		li.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_JOB_MEMORY;
		li.JobMemoryLimit = (SIZE_T)r->ac.memory;
	}
	if (r->ac.processes > 0) {
		li.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_ACTIVE_PROCESS;
		li.BasicLimitInformation.ActiveProcessLimit = (DWORD)r->ac.processes;
	}
	if (!SetInformationJobObject(r->job, JobObjectExtendedLimitInformation, &li, sizeof(li)))
		return win_err(err, "job limits", GetLastError());
	if (r->ac.cpus > 0) {
		/* CpuRate is in 1/100 of a percent of all logical CPUs. */
		double ncpu = (double)GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
		double rate = ncpu > 0 ? r->ac.cpus * 10000.0 / ncpu : 10000.0;
		JOBOBJECT_CPU_RATE_CONTROL_INFORMATION cr = {0};
		cr.ControlFlags =
		    JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP;
		cr.CpuRate = rate >= 10000.0 ? 10000 : rate < 1.0 ? 1 : (DWORD)rate;
		if (!SetInformationJobObject(r->job, JobObjectCpuRateControlInformation, &cr,
		                             sizeof(cr)))
			return win_err(err, "job CPU rate", GetLastError());
	}
	return 0;
}

/* One argument quoted the way CommandLineToArgvW and the C runtime read it. */
static void quote_arg(buf *b, const char *a)
{
	if (*a && !strpbrk(a, " \t\n\v\"")) {
		buf_add(b, a);
		return;
	}
	buf_addc(b, '"');
	for (const char *p = a;; p++) {
		size_t bs = 0;
		while (*p == '\\') {
			p++;
			bs++;
		}
		if (!*p) {
			for (size_t i = 0; i < bs * 2; i++)
				buf_addc(b, '\\');
			break;
		}
		for (size_t i = 0; i < (*p == '"' ? bs * 2 + 1 : bs); i++)
			buf_addc(b, '\\');
		buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

static int env_cmp(const void *a, const void *b)
{
	return _wcsicmp(*(wchar_t *const *)a, *(wchar_t *const *)b);
}

/* The environment block: the plan's, with TEMP and TMP in the container's
 * own folder when the plan says so; sorted as Windows expects. */
static int make_env(struct acrun *r, const struct sbx_plan *p, sbx_error **err)
{
	_cleanup_strv_ strv env = {0};
	wchar_t *folder = NULL;
	_cleanup_free_ char *temp = NULL;
	if (r->ac.temp_container) {
		LPWSTR sidstr = NULL;
		if (!ConvertSidToStringSidW(r->sid, &sidstr))
			return win_err(err, "container SID", GetLastError());
		HRESULT hr = GetAppContainerFolderPath(sidstr, &folder);
		LocalFree(sidstr);
		if (FAILED(hr))
			return win_err(err, "GetAppContainerFolderPath", (DWORD)HRESULT_CODE(hr));
		int n = WideCharToMultiByte(CP_UTF8, 0, folder, -1, NULL, 0, NULL, NULL);
		temp = n > 0 ? calloc(1, (size_t)n) : NULL;
		if (temp)
			WideCharToMultiByte(CP_UTF8, 0, folder, -1, temp, n, NULL, NULL);
		CoTaskMemFree(folder);
		if (!temp)
			return sbx_err(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < p->env.n; i++)
		if (!(temp &&
		      (startswith(p->env.v[i], "TEMP=") || startswith(p->env.v[i], "TMP="))) &&
		    strv_push(&env, p->env.v[i]) < 0)
			return sbx_err(err, -ENOMEM, "out of memory");
	if (temp && (strv_pushf(&env, "TEMP=%s", temp) < 0 || strv_pushf(&env, "TMP=%s", temp) < 0))
		return sbx_err(err, -ENOMEM, "out of memory");
	wchar_t **w = calloc(env.n + 1, sizeof(*w));
	size_t total = 1;
	for (size_t i = 0; w && i < env.n; i++) {
		if (!(w[i] = widen(env.v[i]))) {
			for (size_t j = 0; j < i; j++)
				free(w[j]);
			free(w);
			return sbx_err(err, -EINVAL, "environment entry is not UTF-8");
		}
		total += wcslen(w[i]) + 1;
	}
	if (!w)
		return sbx_err(err, -ENOMEM, "out of memory");
	qsort(w, env.n, sizeof(*w), env_cmp);
	wchar_t *block = calloc(total + 1, sizeof(wchar_t)), *o = block;
	for (size_t i = 0; i < env.n; i++) {
		if (block) {
			size_t n = wcslen(w[i]) + 1;
			memcpy(o, w[i], n * sizeof(wchar_t));
			o += n;
		}
		free(w[i]);
	}
	free(w);
	if (!block)
		return sbx_err(err, -ENOMEM, "out of memory");
	r->env = block;
	return 0;
}

static HANDLE std_handle(int fd, DWORD which)
{
	if (fd >= 0)
		return (HANDLE)_get_osfhandle(fd);
	return GetStdHandle(which);
}

/* Creates the process suspended inside the container, assigns it to the
 * job, resumes it. On failure *status may say 126/127 (the command itself
 * could not be started). */
static int spawn(struct acrun *r, const struct sbx_plan *p, const sbx_stdio *io, int *status,
                 sbx_error **err)
{
	HANDLE h[3] = {std_handle(io ? io->in : -1, STD_INPUT_HANDLE),
	               std_handle(io ? io->out : -1, STD_OUTPUT_HANDLE),
	               std_handle(io ? io->err : -1, STD_ERROR_HANDLE)};
	HANDLE inherit[3];
	DWORD ninherit = 0;
	for (int i = 0; i < 3; i++) {
		if (!h[i] || h[i] == INVALID_HANDLE_VALUE)
			continue;
		bool dup = false;
		for (DWORD j = 0; j < ninherit; j++)
			dup |= inherit[j] == h[i];
		if (!dup && SetHandleInformation(h[i], HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT))
			inherit[ninherit++] = h[i];
	}
	SECURITY_CAPABILITIES sc = {.AppContainerSid = r->sid,
	                            .Capabilities = r->ncaps ? r->caps : NULL,
	                            .CapabilityCount = r->ncaps};
	DWORD lpac = PROCESS_CREATION_ALL_APPLICATION_PACKAGES_OPT_OUT;
	DWORD child = PROCESS_CREATION_CHILD_PROCESS_RESTRICTED;
	SIZE_T size = 0;
	InitializeProcThreadAttributeList(NULL, 4, 0, &size);
	r->attrs = calloc(1, size);
	if (!r->attrs || !InitializeProcThreadAttributeList(r->attrs, 4, 0, &size)) {
		free(r->attrs);
		r->attrs = NULL;
		return win_err(err, "InitializeProcThreadAttributeList", GetLastError());
	}
	if (!UpdateProcThreadAttribute(r->attrs, 0, PROC_THREAD_ATTRIBUTE_SECURITY_CAPABILITIES,
	                               &sc, sizeof(sc), NULL, NULL) ||
	    (r->ac.lpac && !UpdateProcThreadAttribute(
	                       r->attrs, 0, PROC_THREAD_ATTRIBUTE_ALL_APPLICATION_PACKAGES_POLICY,
	                       &lpac, sizeof(lpac), NULL, NULL)) ||
	    (r->ac.child_restricted &&
	     !UpdateProcThreadAttribute(r->attrs, 0, PROC_THREAD_ATTRIBUTE_CHILD_PROCESS_POLICY,
	                                &child, sizeof(child), NULL, NULL)) ||
	    (ninherit &&
	     !UpdateProcThreadAttribute(r->attrs, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherit,
	                                ninherit * sizeof(HANDLE), NULL, NULL)))
		return win_err(err, "process attributes", GetLastError());
	STARTUPINFOEXW si = {0};
	si.StartupInfo.cb = sizeof(si);
	si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
	si.StartupInfo.hStdInput = h[0];
	si.StartupInfo.hStdOutput = h[1];
	si.StartupInfo.hStdError = h[2];
	si.lpAttributeList = r->attrs;
	if (!CreateProcessW(NULL, r->cmdline, NULL, NULL, ninherit > 0,
	                    EXTENDED_STARTUPINFO_PRESENT | CREATE_SUSPENDED |
	                        CREATE_UNICODE_ENVIRONMENT,
	                    r->env, r->cwd, &si.StartupInfo, &r->pi)) {
		DWORD e = GetLastError();
		if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND)
			*status = 127;
		else if (e == ERROR_ACCESS_DENIED || e == ERROR_BAD_EXE_FORMAT)
			*status = 126;
		return win_err(err, p->argv.v[0], e);
	}
	if (!AssignProcessToJobObject(r->job, r->pi.hProcess)) {
		DWORD e = GetLastError();
		TerminateProcess(r->pi.hProcess, 125);
		return win_err(err, "AssignProcessToJobObject", e);
	}
	if (ResumeThread(r->pi.hThread) == (DWORD)-1) {
		DWORD e = GetLastError();
		TerminateJobObject(r->job, 125);
		return win_err(err, "ResumeThread", e);
	}
	return 0;
}

static int wait_exit(struct acrun *r, const struct sbx_plan *p, struct sbx_run_result *res)
{
	DWORD ms = INFINITE;
	if (p->runner_timeout > 0)
		ms = p->runner_timeout * 1000.0 >= (double)(INFINITE - 1)
		         ? INFINITE - 1
		         : (DWORD)(p->runner_timeout * 1000.0);
	if (WaitForSingleObject(r->pi.hProcess, ms) == WAIT_TIMEOUT) {
		TerminateJobObject(r->job, 124);
		WaitForSingleObject(r->pi.hProcess, INFINITE);
		res->timed_out = true;
		res->status = 124;
		return 0;
	}
	DWORD code = 0;
	if (!GetExitCodeProcess(r->pi.hProcess, &code))
		return -EIO;
	res->status = (int)code;
	return 0;
}

static void cleanup(struct acrun *r)
{
	if (r->pi.hThread)
		CloseHandle(r->pi.hThread);
	if (r->pi.hProcess)
		CloseHandle(r->pi.hProcess);
	if (r->job)
		CloseHandle(r->job); /* kill-on-close: nothing outlives the run */
	if (r->attrs) {
		DeleteProcThreadAttributeList(r->attrs);
		free(r->attrs);
	}
	for (size_t i = 0; i < r->ngranted; i++) {
		DWORD e = set_acl(r->sid, r->granted[i], 0, false);
		if (e != ERROR_SUCCESS)
			fprintf(stderr,
			        "sbx-exec: warning: could not remove the grant on %ls (error "
			        "%lu)\n",
			        r->granted[i], (unsigned long)e);
		free(r->granted[i]);
	}
	for (DWORD i = 0; i < r->ncaps; i++)
		LocalFree(r->caps[i].Sid);
	if (r->sid)
		FreeSid(r->sid);
	if (r->profile_created)
		DeleteAppContainerProfile(r->name);
	free(r->env);
	free(r->cmdline);
	free(r->cwd);
	sbx_ac_plan_free(&r->ac);
}

static BOOL WINAPI ignore_ctrl(DWORD type)
{
	/* The console delivers Ctrl-C to the command too; sbx-exec stays to
	 * clean up after it. */
	(void)type;
	return TRUE;
}

static int prepare_run(struct acrun *r, const struct sbx_plan *p, sbx_error **err)
{
	int rc = sbx_ac_parse(p->profile, &r->ac, err);
	if (rc < 0)
		return rc;
	buf cmd = {0};
	for (size_t i = 0; i < p->argv.n; i++) {
		if (i)
			buf_addc(&cmd, ' ');
		quote_arg(&cmd, p->argv.v[i]);
	}
	_cleanup_free_ char *cmdline = buf_steal(&cmd);
	if (!cmdline || !(r->cmdline = widen(cmdline)))
		return sbx_err(err, -EINVAL, "appcontainer: the command line is not UTF-8");
	if (p->chdir && !(r->cwd = widen(p->chdir)))
		return sbx_err(err, -EINVAL, "appcontainer: the directory is not UTF-8");
	if ((rc = create_profile(r, err)) < 0 || (rc = grant_paths(r, err)) < 0 ||
	    (rc = make_job(r, err)) < 0 || (rc = make_env(r, p, err)) < 0)
		return rc;
	return 0;
}

int sbx_plan_run(const struct sbx_plan *p, const sbx_stdio *io, bool forward_signals,
                 struct sbx_run_result *res, sbx_error **err)
{
	*res = (struct sbx_run_result){0};
	if (p->backend != SBX_BACKEND_APPCONTAINER || !p->profile)
		return sbx_err(err, -ENOTSUP, "only appcontainer plans run on Windows");
	struct acrun *r = calloc(1, sizeof(*r));
	if (!r)
		return sbx_err(err, -ENOMEM, "out of memory");
	if (forward_signals)
		SetConsoleCtrlHandler(ignore_ctrl, TRUE);
	int status = -1;
	int rc = prepare_run(r, p, err);
	if (rc == 0)
		rc = spawn(r, p, io, &status, err);
	if (rc == 0 && wait_exit(r, p, res) < 0)
		rc = win_err(err, "GetExitCodeProcess", GetLastError());
	cleanup(r);
	free(r);
	if (forward_signals)
		SetConsoleCtrlHandler(ignore_ctrl, FALSE);
	if (rc < 0 && status >= 0) {
		/* The sandbox was set up but the command could not start: the
		 * contract's 126/127, with the reason on stderr. */
		if (err && *err) {
			fprintf(stderr, "sbx-exec: %s\n", sbx_error_message(*err));
			sbx_error_free(*err);
			*err = NULL;
		}
		res->status = status;
		return 0;
	}
	return rc;
}
