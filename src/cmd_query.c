/* placeholder */ typedef int placeholder_cmd_query;
