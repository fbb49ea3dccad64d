/* test_html.c - the escaping of the HTML report (src/io/write_html.c): text and attributes, JSON
 * inside a script element, UTF-8 repair, and template placeholders, against hand-written answers */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "write_html.h"

static char *text(const char *s, size_t n)
{
    vox_buf b = {0};
    vox_html_text(&b, s, n);
    vox_buf_putc(&b, '\0');
    return b.data;
}

static char *json(const char *s)
{
    vox_buf b = {0};
    vox_html_json_string(&b, s);
    vox_buf_putc(&b, '\0');
    return b.data;
}

static void same(char *got, const char *want, const char *what)
{
    CHECK(got && !strcmp(got, want), "%s: got '%s', want '%s'", what, got ? got : "(null)", want);
    free(got);
}

int main(void)
{
    const char *img = "<img src=x onerror=\"a('b')\">&amp;";
    same(text(img, strlen(img)), "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;amp;",
         "html text");
    same(text("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "valid UTF-8 kept");
    same(text("a\xff" "b", 3), "a\xef\xbf\xbd" "b", "a stray byte");
    same(text("\xc0\xaf", 2), "\xef\xbf\xbd\xef\xbf\xbd", "an overlong '/'");
    same(text("\xed\xa0\x80", 3), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "an encoded surrogate");
    same(text("\xf4\x90\x80\x80", 4), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "above U+10FFFF");
    same(text("\xe2\x82", 2), "\xef\xbf\xbd\xef\xbf\xbd", "a truncated sequence");
    same(text("a\x01\x7f\xc2\x85z\tq\n", 9), "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz\tq\n", "control characters (C0, DEL, C1)");
    same(text("a\0b", 3), "a\xef\xbf\xbd" "b", "a NUL inside");

    same(json("</script><!--x-->&'\"\\"), "\"\\u003c/script\\u003e\\u003c!--x--\\u003e\\u0026\\u0027\\\"\\\\\"", "json <>&'\"\\");
    same(json("caf\xc3\xa9 \xf0\x9f\x98\x80\n\t"), "\"caf\\u00e9 \\ud83d\\ude00\\n\\t\"", "json non-ASCII");
    same(json("\xff\x01"), "\"\\ufffd\\ufffd\"", "json bad bytes");
    same(json(NULL), "\"\"", "json NULL");

    const vox_html_field f[] = {{"t", "<b>&"}, {"a", "\"x'"}, {"d", "{\"s\":\"</script>\"}"}};
    const char *tmpl = "<p>{{text:t}}</p><x y=\"{{attr:a}}\"><script type=\"application/json\">{{json:d}}</script>{{";
    vox_buf out = {0};
    CHECK(vox_html_fill(NULL, "t.html", tmpl, strlen(tmpl) - 2, f, 3, &out) == VOX_OK, "fill");
    vox_buf_putc(&out, '\0');
    same(out.data, "<p>&lt;b&gt;&amp;</p><x y=\"&quot;x&#39;\"><script type=\"application/json\">"
                   "{\"s\":\"\\u003c/script\\u003e\"}</script>", "fill: each value escaped for its context");
    vox_options o;
    vox_options_init(&o);
    vox_ctx *ctx = NULL;
    CHECK(vox_ctx_create(&ctx, &o) == VOX_OK, "context");
    static const char *const bad[] = {"{{text:nope}}", "{{html:t}}", "{{t}}", "x {{text:t"};
    for (int i = 0; i < 4; i++) {
        vox_buf b = {0};
        vox_status st = vox_html_fill(ctx, "bad.html", bad[i], strlen(bad[i]), f, 3, &b);
        CHECK(st == VOX_E_INVALID_ARG && strstr(vox_ctx_last_error_detail(ctx), "bad.html"), "template '%s': %d %s", bad[i],
              st, vox_ctx_last_error_detail(ctx));
        vox_buf_free(&b);
    }
    vox_ctx_destroy(&ctx);
    return check_report();
}
